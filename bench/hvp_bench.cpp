// One Hessian-vector product (double backward, and central differences of the gradient)
// against one gradient of the same loss on the same batch, for a saved model: the cost ratio
// the Hessian analysis pays per product (localsgd-analyze hessian --hvp autograd|differences).
//   localsgd-hvp-bench RUN_DIR [--batch B (128)] [--repeats R (10)] [--threads T (2)]
// Prints one JSON line: seconds per gradient, per product, and their ratio.
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>

#include "hessian/eigenpairs.h"
#include "landscape/fixed_loss.h"
#include "saved_run_data.h"
#include "util/json_record.h"
#include "util/threads.h"

using namespace localsgd;
using namespace localsgd::analysis;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: localsgd-hvp-bench RUN_DIR [--batch B] [--repeats R] [--threads T]\n";
    return 2;
  }
  std::int64_t batch = 128, repeats = 10, threads = 2;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::int64_t value = std::atoll(argv[i + 1]);
    if (flag == "--batch") batch = value;
    else if (flag == "--repeats") repeats = value;
    else if (flag == "--threads") threads = value;
    else {
      std::cerr << "localsgd-hvp-bench: unknown option " << flag << "\n";
      return 2;
    }
  }
  apply_thread_count(static_cast<int>(threads));
  RunForAnalysis run = load_run_for_analysis(argv[1]);
  const InMemoryImages train(run.data.train);
  const Classification task;
  FixedLoss loss(*run.model, train, task, batch, batch);
  const torch::Tensor v = gaussian(loss.dimension(), 1);
  using Clock = std::chrono::steady_clock;
  auto seconds_per = [&](auto&& work) {
    work();  // warm-up
    const auto start = Clock::now();
    for (std::int64_t r = 0; r < repeats; ++r) work();
    return std::chrono::duration<double>(Clock::now() - start).count() / repeats;
  };
  const double gradient = seconds_per([&] { loss.gradient(); });
  const double product = seconds_per([&] { loss.hessian_vector_product(v); });
  loss.set_products(HessianProducts::kFiniteDifferences);
  const double differenced = seconds_per([&] { loss.hessian_vector_product(v); });
  std::cout << JsonRecord().add("implementation", "localsgd (LibTorch)").add("parameters", loss.dimension())
                   .add("batch", batch).add("threads", threads).add("gradient_seconds", gradient)
                   .add("hvp_seconds", product).add("hvp_over_gradient", product / gradient)
                   .add("differenced_hvp_seconds", differenced).add("differenced_over_gradient", differenced / gradient).str()
            << "\n";
  return 0;
}
