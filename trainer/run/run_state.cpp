#include "run/run_state.h"

#include <stdexcept>

namespace localsgd {
namespace {

torch::Tensor doubles(const std::vector<double>& v) { return torch::tensor(v, torch::kDouble); }

void read_doubles(torch::serialize::InputArchive& archive, const char* key, std::vector<double>& out) {
  torch::Tensor t;
  archive.read(key, t);
  if (t.numel() != static_cast<std::int64_t>(out.size()))
    throw std::runtime_error(std::string("RunState: saved ") + key + " has another worker count");
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = t[i].item<double>();
}

void write_lines(torch::serialize::OutputArchive& archive, const char* key, const std::vector<std::string>& lines) {
  std::string joined;
  for (const auto& l : lines) joined += l + "\n";
  archive.write(key, c10::IValue(joined));
}

std::vector<std::string> read_lines(torch::serialize::InputArchive& archive, const char* key) {
  c10::IValue value;
  archive.read(key, value);
  std::vector<std::string> lines;
  const std::string joined = value.toStringRef();
  std::size_t start = 0;
  for (std::size_t end; (end = joined.find('\n', start)) != std::string::npos; start = end + 1)
    lines.push_back(joined.substr(start, end - start));
  return lines;
}

// Reads `key` into `into` of the same shape, in place: the replicas' views stay bound.
void read_into(torch::serialize::InputArchive& archive, const char* key, torch::Tensor& into) {
  torch::Tensor saved;
  archive.read(key, saved);
  if (!saved.sizes().equals(into.sizes()))
    throw std::runtime_error(std::string("RunState: saved ") + key + " has shape " + c10::str(saved.sizes()) +
                             ", this run's is " + c10::str(into.sizes()));
  into.copy_(saved);
}

}  // namespace

void Tallies::reset() {
  std::fill(loss_sums.begin(), loss_sums.end(), 0.0);
  std::fill(corrects.begin(), corrects.end(), 0.0);
  std::fill(samples.begin(), samples.end(), 0.0);
}

void RunState::save(torch::serialize::OutputArchive& archive) const {
  archive.write("step", torch::tensor({step}, torch::kLong));
  archive.write("params", replicas.params);
  archive.write("bn_stats", replicas.bn_stats);
  torch::serialize::OutputArchive part;
  optimizer.save(part);
  archive.write("optimizer", part);
  torch::serialize::OutputArchive algo;
  algorithm->save(algo);
  archive.write("algorithm", algo);
  for (std::size_t r = 0; r < batches.size(); ++r) {
    torch::serialize::OutputArchive b;
    batches[r].save(b);
    archive.write("batches_" + std::to_string(r), b);
  }
  archive.write("loss_sums", doubles(tallies.loss_sums));
  archive.write("corrects", doubles(tallies.corrects));
  archive.write("samples", doubles(tallies.samples));
  torch::serialize::OutputArchive meter;
  comm->meter().save(meter);
  archive.write("meter", meter);
  write_lines(archive, "metrics_lines", metrics_lines);
  write_lines(archive, "timing_lines", timing_lines);
  archive.write("result", doubles({result.best_test_accuracy, result.final_test_accuracy, result.eval_seconds,
                                   last_test_accuracy, seconds_before, train_seconds_before}));
  archive.write("phase_seconds", doubles({phase_times.seconds.begin(), phase_times.seconds.end()}));
}

void RunState::load(torch::serialize::InputArchive& archive) {
  torch::NoGradGuard no_grad;
  torch::Tensor saved_step;
  archive.read("step", saved_step);
  step = saved_step.item<std::int64_t>();
  read_into(archive, "params", replicas.params);
  read_into(archive, "bn_stats", replicas.bn_stats);
  torch::serialize::InputArchive part;
  archive.read("optimizer", part);
  optimizer.load(part);
  torch::serialize::InputArchive algo;
  archive.read("algorithm", algo);
  algorithm->load(algo);
  for (std::size_t r = 0; r < batches.size(); ++r) {
    torch::serialize::InputArchive b;
    archive.read("batches_" + std::to_string(r), b);
    batches[r].load(b);
  }
  read_doubles(archive, "loss_sums", tallies.loss_sums);
  read_doubles(archive, "corrects", tallies.corrects);
  read_doubles(archive, "samples", tallies.samples);
  torch::serialize::InputArchive meter;
  archive.read("meter", meter);
  comm->meter().load(meter);
  metrics_lines = read_lines(archive, "metrics_lines");
  timing_lines = read_lines(archive, "timing_lines");
  std::vector<double> r(6);
  read_doubles(archive, "result", r);
  result.best_test_accuracy = r[0];
  result.final_test_accuracy = r[1];
  result.eval_seconds = r[2];
  last_test_accuracy = r[3];
  seconds_before = r[4];
  train_seconds_before = r[5];
  std::vector<double> phases(kPhaseCount);
  read_doubles(archive, "phase_seconds", phases);
  std::copy(phases.begin(), phases.end(), phase_times.seconds.begin());
}

}  // namespace localsgd
