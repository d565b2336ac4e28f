#include "trainer.h"

#include <ATen/CPUGeneratorImpl.h>

#include <chrono>
#include <cmath>
#include <thread>

#include "augment.h"
#include "evaluation.h"
#include "seeding.h"

namespace localsgd {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Sums every worker's value of field `f` (of m per worker) in worker order: the same order
// whether the workers are simulated or spread over processes.
double sum_in_worker_order(const std::vector<double>& values, int m, int f) {
  double total = 0;
  for (std::size_t i = f; i < values.size(); i += m) total += values[i];
  return total;
}

}  // namespace

Trainer::Trainer(const RunConfig& config, const TrainTestData& data, std::unique_ptr<Communicator> comm)
    : config_(config),
      data_(data),
      timeline_(config, data.train.size()),
      comm_(comm ? std::move(comm) : make_communicator(config.algorithm.workers, config.algorithm.block_size)),
      replicas_(config.model, data.train.channels(), data.train.num_classes, comm_->local_workers(),
                derive_seed(config.run.seed, SeedStream::kModelInit), comm_->device()),
      optimizer_(config.optimizer, weight_decay_mask(*replicas_.models[0], config.optimizer).to(comm_->device()),
                 comm_->local_workers()),
      averaged_(make_model(config.model, data.train.channels(), data.train.num_classes)) {
  const int k_total = comm_->world_size();
  for (int r = 0; r < comm_->local_workers(); ++r) {
    const int worker = comm_->first_worker() + r;
    streams_.emplace_back(config.run.seed, k_total, worker, data.train.size());
    augment_generators_.push_back(
        at::make_generator<at::CPUGeneratorImpl>(derive_seed(config.run.seed, SeedStream::kAugment, worker)));
  }
  comm_->set_cost_model({config.comm.latency, config.comm.bandwidth},
                        {config.comm.block_latency, config.comm.block_bandwidth});
  loss_sums_.assign(comm_->local_workers(), 0.0);
  corrects_.assign(comm_->local_workers(), 0.0);
  samples_.assign(comm_->local_workers(), 0.0);
  averaged_->to(comm_->device());
  const auto options = replicas_.params.options();
  averaged_params_ = torch::empty({1, replicas_.parameter_count()}, options);
  averaged_bn_ = torch::empty({1, replicas_.bn_stats.size(1)}, options);
  bind_to_row(averaged_->parameters(), averaged_params_, 0);
  bind_to_row(bn_statistics(*averaged_), averaged_bn_, 0);
}

bool Trainer::train_step(std::int64_t step) {
  replicas_.grads.zero_();
  bool finite = true;
  for (int r = 0; r < replicas_.count(); ++r) {
    const auto indices = streams_[r].next(config_.algorithm.local_batch);
    const Batch batch = make_batch(data_.train, indices, config_.data.augment, augment_generators_[r]);
    const auto targets = batch.targets.to(comm_->device());
    const auto logits = replicas_.models[r]->forward(batch.inputs.to(comm_->device()));
    const auto loss = torch::nn::functional::cross_entropy(logits, targets);
    loss.backward();
    const double value = loss.item<double>();
    finite = finite && std::isfinite(value);
    loss_sums_[r] += value * targets.size(0);
    corrects_[r] += static_cast<double>(logits.detach().argmax(1).eq(targets).sum().item<std::int64_t>());
    samples_[r] += static_cast<double>(targets.size(0));
  }
  if (timeline_.averages_gradients(step)) {
    comm_->average(replicas_.grads);
    if (config_.algorithm.bn_stats == "average") comm_->average(replicas_.bn_stats);
  }
  optimizer_.step(replicas_.params, replicas_.grads, timeline_.learning_rate(step));
  switch (timeline_.parameter_sync_after(step)) {
    case Sync::kNone: break;
    case Sync::kBlock: synchronise_parameters(CommLevel::kBlock); break;
    case Sync::kGlobal: synchronise_parameters(CommLevel::kGlobal); break;
  }
  return finite;
}

void Trainer::synchronise_parameters(CommLevel level) {
  comm_->average(replicas_.params, level);
  if (config_.algorithm.bn_stats == "average") comm_->average(replicas_.bn_stats, level);
  if (config_.algorithm.momentum == "average")
    comm_->average(optimizer_.momentum(), level);
  else if (config_.algorithm.momentum == "reset")
    optimizer_.momentum().zero_();
  if (level == CommLevel::kGlobal && config_.comm.global_delay > 0) {
    // Figure 19's slow network: a real wait when distributed, modelled time when simulated.
    injected_delay_ += config_.comm.global_delay;
    if (comm_->distributed())
      std::this_thread::sleep_for(std::chrono::duration<double>(config_.comm.global_delay));
  }
}

void Trainer::refresh_averaged_model() {
  torch::NoGradGuard no_grad;
  auto params = averaged_params_[0];
  comm_->global_mean(replicas_.params, params);
  // With local BN statistics, the evaluated model carries worker 0's, as a real cluster's rank 0 would.
  auto bn = averaged_bn_[0];
  if (config_.algorithm.bn_stats == "average")
    comm_->global_mean(replicas_.bn_stats, bn);
  else if (comm_->is_leader())
    bn.copy_(replicas_.bn_stats[0]);
}

ResNet& Trainer::averaged_model() {
  refresh_averaged_model();
  return averaged_;
}

bool Trainer::all_finite(bool mine) {
  for (double flag : comm_->all_gather({mine ? 1.0 : 0.0}))
    if (flag == 0.0) return false;
  return true;
}

EvalRecord Trainer::evaluate_after(std::int64_t step, double wall_seconds, double train_seconds) {
  std::vector<double> mine;  // per local worker: loss sum, correct, samples
  for (int r = 0; r < replicas_.count(); ++r) mine.insert(mine.end(), {loss_sums_[r], corrects_[r], samples_[r]});
  const auto all = comm_->all_gather(mine);
  const double seen = sum_in_worker_order(all, 3, 2);
  EvalRecord record;
  record.epoch = timeline_.epoch_at(step + 1);
  record.step = step + 1;
  record.samples = (step + 1) * timeline_.global_batch();
  record.sync_rounds = comm_->stats(CommLevel::kGlobal).rounds;
  record.comm_bytes = comm_->stats(CommLevel::kGlobal).bytes;
  record.block_sync_rounds = comm_->stats(CommLevel::kBlock).rounds;
  record.block_comm_bytes = comm_->stats(CommLevel::kBlock).bytes;
  record.injected_delay_seconds = injected_delay_;
  record.modelled_comm_seconds =
      comm_->stats(CommLevel::kGlobal).modelled_seconds + comm_->stats(CommLevel::kBlock).modelled_seconds;
  record.lr = timeline_.learning_rate(step);
  record.local_steps = timeline_.local_steps(step);
  record.train_loss = sum_in_worker_order(all, 3, 0) / seen;
  record.train_accuracy = sum_in_worker_order(all, 3, 1) / seen;
  refresh_averaged_model();  // every process takes part; the leader evaluates
  if (comm_->is_leader()) {
    const auto test = evaluate(*averaged_, data_.test, config_.data.eval_batch);
    record.test_loss = test.loss;
    record.test_accuracy = test.accuracy;
  }
  record.wall_seconds = wall_seconds;
  record.train_seconds = train_seconds;
  record.workers_in_process = replicas_.count();
  record.distributed = comm_->distributed();
  record.global_comm = comm_->stats(CommLevel::kGlobal);
  record.block_comm = comm_->stats(CommLevel::kBlock);
  std::fill(loss_sums_.begin(), loss_sums_.end(), 0.0);
  std::fill(corrects_.begin(), corrects_.end(), 0.0);
  std::fill(samples_.begin(), samples_.end(), 0.0);
  return record;
}

RunResult Trainer::run(const EvalCallback& on_eval, const ProgressCallback& on_progress) {
  RunResult result;
  result.backend = comm_->name();
  result.distributed = comm_->distributed();
  if (config_.algorithm.kind == "postlocal") result.local_from_epoch = timeline_.epoch_at(timeline_.switch_step());
  const auto start = Clock::now();
  double last_test_accuracy = -1;
  for (auto& model : replicas_.models) model->train();

  for (std::int64_t step = 0; step < timeline_.total_steps(); ++step) {
    const bool finite = all_finite(train_step(step));
    result.steps = step + 1;
    result.samples_seen = result.steps * timeline_.global_batch();
    if (!finite) {  // a diverged run is a result, recorded with its step
      result.status = "diverged";
      result.diverged_at_step = step;
      break;
    }
    if (on_progress && comm_->is_leader()) {
      double loss = 0, correct = 0, seen = 0;
      for (int r = 0; r < replicas_.count(); ++r) loss += loss_sums_[r], correct += corrects_[r], seen += samples_[r];
      on_progress({step + 1, timeline_.total_steps(), timeline_.epoch_at(step + 1), loss / seen, correct / seen,
                   last_test_accuracy, seconds_since(start)});
    }
    if (!timeline_.evaluates_after(step)) continue;

    const auto eval_start = Clock::now();
    const double elapsed = seconds_since(start);
    const EvalRecord record = evaluate_after(step, elapsed, elapsed - result.eval_seconds);
    result.eval_seconds += seconds_since(eval_start);
    if (on_eval && comm_->is_leader()) on_eval(record);
    last_test_accuracy = record.test_accuracy;
    result.final_test_accuracy = record.test_accuracy;
    result.best_test_accuracy = std::max(result.best_test_accuracy, record.test_accuracy);
  }
  result.train_seconds = seconds_since(start) - result.eval_seconds;
  return result;
}

}  // namespace localsgd
