// localsgd-microbench: measurements of the machine and the models that need no training.
//   localsgd-microbench model   CONFIG.toml --out FILE.json  [--set section.key=value]...
//   localsgd-microbench fwd-bwd CONFIG.toml --out FILE.jsonl --batches 32,64,... [--set ...]...
//   mpirun -n 2 localsgd-microbench latency --out FILE.jsonl [--bytes 1,1024,...]
// `model` writes the run's model size: parameters and multiply-accumulates per image (Table 6);
// `fwd-bwd` times forward + backward per iteration for each batch size (Table 7), with the
// config's threads; `latency` times a ping-pong between two MPI ranks per message size
// (Figure 5; MPI builds only). Outputs are written under a temporary name and renamed.
// Exit codes: 0 done, 1 runtime error, 2 bad usage or config.
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "io/atomic_file.h"
#include "config/config.h"
#include "data/dataset.h"
#include "forward_backward.h"
#include "util/json_record.h"
#include "models/model_registry.h"
#ifdef LOCALSGD_HAVE_MPI
#include "latency.h"
#include "comm/mpi/mpi_session.h"
#endif
#include "models/replicas.h"
#include "util/threads.h"

namespace {

constexpr const char* kUsage =
    "usage: localsgd-microbench model CONFIG.toml --out FILE.json [--set section.key=value]...\n"
    "       localsgd-microbench fwd-bwd CONFIG.toml --out FILE.jsonl --batches B1,B2,... [--set ...]...\n"
    "       mpirun -n 2 localsgd-microbench latency --out FILE.jsonl [--bytes N1,N2,...]\n";

struct Arguments {
  std::string command, config, out;
  std::vector<std::int64_t> batches;
  std::vector<std::int64_t> bytes{1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216};
  std::vector<std::string> overrides;
};

std::vector<std::int64_t> parse_sizes(const std::string& option, const std::string& text) {
  std::vector<std::int64_t> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    std::size_t used = 0;
    long long b = 0;
    try {
      b = std::stoll(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != item.size() || b < 1) throw std::invalid_argument(option + ": '" + item + "' is not a positive integer");
    out.push_back(b);
  }
  if (out.empty()) throw std::invalid_argument(option + ": no sizes");
  return out;
}

Arguments parse_arguments(int argc, char** argv) {
  Arguments args;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--out" || a == "--set" || a == "--batches" || a == "--bytes") {
      if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      const std::string value = argv[++i];
      if (a == "--out") args.out = value;
      else if (a == "--set") args.overrides.push_back(value);
      else if (a == "--batches") args.batches = parse_sizes(a, value);
      else args.bytes = parse_sizes(a, value);
    } else if (a.rfind("--", 0) == 0) {
      throw std::invalid_argument("unknown option " + a);
    } else if (args.command.empty()) {
      args.command = a;
    } else if (args.config.empty()) {
      args.config = a;
    } else {
      throw std::invalid_argument("unexpected argument " + a);
    }
  }
  if (args.command != "model" && args.command != "fwd-bwd" && args.command != "latency")
    throw std::invalid_argument(args.command.empty() ? "missing command" : "unknown command " + args.command);
  if (args.command == "latency" && !args.config.empty()) throw std::invalid_argument("latency takes no config");
  if (args.command != "latency" && args.config.empty()) throw std::invalid_argument("missing CONFIG.toml");
  if (args.out.empty()) throw std::invalid_argument("missing --out FILE");
  if (args.command == "fwd-bwd" && args.batches.empty()) throw std::invalid_argument("fwd-bwd needs --batches");
  return args;
}

std::string model_record(const localsgd::RunConfig& config) {
  const localsgd::ImageShape shape = localsgd::image_shape(config.data.dataset);
  const localsgd::ModelPtr model = localsgd::make_model(config, shape);
  std::int64_t parameters = 0;
  for (const auto& p : model->parameters()) parameters += p.numel();
  return localsgd::JsonRecord()
             .add("model", config.model.arch + std::to_string(config.model.depth))
             .add("width", config.model.width)
             .add("dataset", config.data.dataset)
             .add("input", std::to_string(shape.channels) + "x" + std::to_string(shape.height) + "x" +
                               std::to_string(shape.width))
             .add("parameters", parameters)
             .add("multiply_accumulates", model->multiply_accumulates(shape))
             .str() + "\n";
}

// The CPU's name from /proc/cpuinfo ("" where there is none): the table says where it was measured.
std::string cpu_name() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("model name", 0) == 0 && line.find(':') != std::string::npos) {
      const std::string name = line.substr(line.find(':') + 1);
      return name.substr(std::min(name.find_first_not_of(' '), name.size()));
    }
  return "";
}

std::string forward_backward_records(const localsgd::RunConfig& config, const std::vector<std::int64_t>& batches) {
  const int threads = localsgd::apply_thread_count(config.run.threads);
  std::string out;
  for (const auto& t : localsgd::time_forward_backward(config, batches))
    out += localsgd::JsonRecord()
               .add("batch", t.batch)
               .add("median_seconds", t.median_seconds)
               .add("min_seconds", t.min_seconds)
               .add("max_seconds", t.max_seconds)
               .add("iterations", t.iterations)
               .add("images_per_second", static_cast<double>(t.batch) / t.median_seconds)
               .add("threads", threads)
               .add("cpu", cpu_name())
               .str() + "\n";
  return out;
}

#ifdef LOCALSGD_HAVE_MPI
// Rank 0 writes the records; a failing rank ends the job.
int latency(int argc, char** argv, const Arguments& args) {
  localsgd::MpiSession session(&argc, &argv);
  try {
    const auto times = localsgd::time_ping_pong(args.bytes);
    const auto hosts = localsgd::ping_pong_hosts();
    if (session.rank() != 0) return 0;
    std::string out;
    for (const auto& t : times)
      out += localsgd::JsonRecord()
                 .add("bytes", t.bytes)
                 .add("latency_seconds", t.median_seconds)
                 .add("bandwidth_gbps", static_cast<double>(t.bytes) / t.median_seconds / 1e9)
                 .add("round_trips", t.round_trips)
                 .add("same_node", hosts[0] == hosts[1])
                 .add("hosts", hosts[0] + "," + hosts[1])
                 .str() + "\n";
    localsgd::write_file_atomically(args.out, out);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "localsgd-microbench: error: " << e.what() << "\n";
    localsgd::MpiSession::abort(1);
  }
}
#endif

}  // namespace

int main(int argc, char** argv) {
  Arguments args;
  try {
    args = parse_arguments(argc, argv);
  } catch (const std::invalid_argument& e) {
    std::cerr << "localsgd-microbench: " << e.what() << "\n" << kUsage;
    return 2;
  }
  if (args.command == "latency") {
#ifdef LOCALSGD_HAVE_MPI
    return latency(argc, argv, args);
#else
    std::cerr << "localsgd-microbench: latency needs the MPI backend: rebuild with MPI (apt install libopenmpi-dev)\n";
    return 2;
#endif
  }
  localsgd::RunConfig config;
  try {
    config = localsgd::load_config(args.config, args.overrides);
  } catch (const localsgd::ConfigError& e) {
    std::cerr << "localsgd-microbench: invalid config\n" << e.what() << "\n";
    return 2;
  }
  try {
    const std::string text =
        args.command == "model" ? model_record(config) : forward_backward_records(config, args.batches);
    localsgd::write_file_atomically(args.out, text);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "localsgd-microbench: error: " << e.what() << "\n";
    return 1;
  }
}
