#include "trainer.h"

#include <ATen/CPUGeneratorImpl.h>

#include <chrono>
#include <cmath>

#include "augment.h"
#include "evaluation.h"
#include "seeding.h"

namespace localsgd {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

Trainer::Trainer(const RunConfig& config, const TrainTestData& data)
    : config_(config),
      data_(data),
      timeline_(config, data.train.size()),
      comm_(make_communicator(config.algorithm.workers)),
      replicas_(config.model, data.train.channels(), data.train.num_classes, comm_->local_workers(),
                derive_seed(config.run.seed, SeedStream::kModelInit)),
      optimizer_(config.optimizer, weight_decay_mask(*replicas_.models[0], config.optimizer),
                 comm_->local_workers()),
      averaged_(make_model(config.model, data.train.channels(), data.train.num_classes)) {
  const int k_total = comm_->world_size();
  for (int r = 0; r < comm_->local_workers(); ++r) {
    const int worker = comm_->first_worker() + r;
    streams_.emplace_back(config.run.seed, k_total, worker, data.train.size());
    augment_generators_.push_back(
        at::make_generator<at::CPUGeneratorImpl>(derive_seed(config.run.seed, SeedStream::kAugment, worker)));
  }
  averaged_params_ = torch::empty({1, replicas_.parameter_count()});
  averaged_bn_ = torch::empty({1, replicas_.bn_stats.size(1)});
  bind_to_row(averaged_->parameters(), averaged_params_, 0);
  bind_to_row(bn_statistics(*averaged_), averaged_bn_, 0);
}

bool Trainer::train_step(std::int64_t step, double& loss_sum, std::int64_t& correct) {
  replicas_.grads.zero_();
  bool finite = true;
  for (int r = 0; r < replicas_.count(); ++r) {
    const auto indices = streams_[r].next(config_.algorithm.local_batch);
    const Batch batch = make_batch(data_.train, indices, config_.data.augment, augment_generators_[r]);
    const auto logits = replicas_.models[r]->forward(batch.inputs);
    const auto loss = torch::nn::functional::cross_entropy(logits, batch.targets);
    loss.backward();
    const double value = loss.item<double>();
    finite = finite && std::isfinite(value);
    loss_sum += value * batch.targets.size(0);
    correct += logits.detach().argmax(1).eq(batch.targets).sum().item<std::int64_t>();
  }
  if (timeline_.averages_gradients(step)) {
    comm_->average(replicas_.grads);
    if (config_.algorithm.bn_stats == "average") comm_->average(replicas_.bn_stats);
  }
  optimizer_.step(replicas_.params, replicas_.grads, timeline_.learning_rate(step));
  if (timeline_.averages_parameters_after(step)) synchronise_parameters();
  return finite;
}

void Trainer::synchronise_parameters() {
  comm_->average(replicas_.params);
  if (config_.algorithm.bn_stats == "average") comm_->average(replicas_.bn_stats);
  if (config_.algorithm.momentum == "average")
    comm_->average(optimizer_.momentum());
  else if (config_.algorithm.momentum == "reset")
    optimizer_.momentum().zero_();
}

void Trainer::refresh_averaged_model() {
  torch::NoGradGuard no_grad;
  averaged_params_.copy_(replicas_.params.mean(0, /*keepdim=*/true));
  // With local BN statistics, the evaluated model carries worker 0's, as a real cluster's rank 0 would.
  if (config_.algorithm.bn_stats == "average")
    averaged_bn_.copy_(replicas_.bn_stats.mean(0, /*keepdim=*/true));
  else
    averaged_bn_.copy_(replicas_.bn_stats.narrow(0, 0, 1));
}

ResNet& Trainer::averaged_model() {
  refresh_averaged_model();
  return averaged_;
}

RunResult Trainer::run(const EvalCallback& on_eval, const ProgressCallback& on_progress) {
  RunResult result;
  const auto start = Clock::now();
  double loss_sum = 0;
  std::int64_t correct = 0, seen_since_eval = 0;
  double last_test_accuracy = -1;
  for (auto& model : replicas_.models) model->train();

  for (std::int64_t step = 0; step < timeline_.total_steps(); ++step) {
    const bool finite = train_step(step, loss_sum, correct);
    seen_since_eval += timeline_.global_batch();
    result.steps = step + 1;
    result.samples_seen = result.steps * timeline_.global_batch();
    if (!finite) {  // a diverged run is a result, recorded with its step
      result.status = "diverged";
      result.diverged_at_step = step;
      break;
    }
    if (on_progress) {
      on_progress({step + 1, timeline_.total_steps(), timeline_.epoch_at(step + 1),
                   loss_sum / seen_since_eval, static_cast<double>(correct) / seen_since_eval,
                   last_test_accuracy, seconds_since(start)});
    }
    if (!timeline_.evaluates_after(step)) continue;

    const auto eval_start = Clock::now();
    const auto test = evaluate(*averaged_model(), data_.test, config_.data.eval_batch);
    result.eval_seconds += seconds_since(eval_start);
    EvalRecord record;
    record.epoch = timeline_.epoch_at(step + 1);
    record.step = step + 1;
    record.samples = result.samples_seen;
    record.sync_rounds = comm_->stats().rounds;
    record.comm_bytes = comm_->stats().bytes;
    record.lr = timeline_.learning_rate(step);
    record.local_steps = timeline_.local_steps(step);
    record.train_loss = loss_sum / seen_since_eval;
    record.train_accuracy = static_cast<double>(correct) / seen_since_eval;
    record.test_loss = test.loss;
    record.test_accuracy = test.accuracy;
    record.wall_seconds = seconds_since(start);
    if (on_eval) on_eval(record);
    last_test_accuracy = test.accuracy;
    result.final_test_accuracy = test.accuracy;
    result.best_test_accuracy = std::max(result.best_test_accuracy, test.accuracy);
    loss_sum = 0;
    correct = 0;
    seen_since_eval = 0;
  }
  result.train_seconds = seconds_since(start) - result.eval_seconds;
  return result;
}

}  // namespace localsgd
