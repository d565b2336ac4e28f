#include "util/stop_signal.h"

#include <csignal>

namespace localsgd {
namespace {

volatile std::sig_atomic_t received = 0;

extern "C" void on_stop_signal(int signal) { received = signal; }

}  // namespace

void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  for (int signal : {SIGTERM, SIGINT, SIGUSR1}) sigaction(signal, &action, nullptr);
}

bool stop_requested() { return received != 0; }
int stop_signal() { return received; }
void request_stop(int signal) { received = signal; }

}  // namespace localsgd
