#include "run/trainer.h"

#include <chrono>
#include <cmath>
#include <thread>

#include "algo/algorithm_registry.h"
#include "data/data_kinds.h"
#include "io/run_directory.h"
#include "task/bn_recompute.h"
#include "task/evaluation.h"
#include "models/model_registry.h"
#include "run/memory_check.h"
#include "util/process_memory.h"
#include "util/seeding.h"
#include "util/stop_signal.h"

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

std::unique_ptr<Communicator> own_or_simulate(std::unique_ptr<Communicator> comm, const RunConfig& config) {
  return comm ? std::move(comm) : make_communicator(config.algorithm.workers, config.algorithm.block_size);
}

RunState initial_state(const RunConfig& config, const SampleSource& train, const Timeline& timeline,
                       Communicator& comm) {
  check_replicas_fit(config, train.shape(), comm.local_workers());
  Replicas replicas(config, train.shape(), comm.local_workers(),
                    derive_seed(config.run.seed, SeedStream::kModelInit), comm.device());
  FlatSgd optimizer(config.optimizer, replicas.layout, comm.local_workers(), comm.device());
  RunState state{0, std::move(replicas), std::move(optimizer), make_algorithm(config, timeline), {},
                 Tallies(comm.local_workers()), &comm, {}, {}, {}, -1, 0, 0, {}};
  for (int r = 0; r < comm.local_workers(); ++r)
    state.batches.emplace_back(config.run.seed, comm.world_size(), comm.first_worker() + r, train.size(),
                               BatchOptions{config.data.augment, config.data.sampling == "with-replacement",
                                            config.data.label_noise});
  return state;
}

}  // namespace

Trainer::Trainer(const RunConfig& config, const TrainTestData& data, std::unique_ptr<Communicator> comm)
    : Trainer(config, std::make_shared<InMemoryImages>(data.train), std::make_shared<InMemoryImages>(data.test),
              std::move(comm)) {}

Trainer::Trainer(const RunConfig& config, const SampleSource& train, const SampleSource& test,
                 std::unique_ptr<Communicator> comm)
    : Trainer(config, std::shared_ptr<const SampleSource>(&train, [](const SampleSource*) {}),
              std::shared_ptr<const SampleSource>(&test, [](const SampleSource*) {}), std::move(comm)) {}

Trainer::Trainer(const RunConfig& config, std::shared_ptr<const SampleSource> train,
                 std::shared_ptr<const SampleSource> test, std::unique_ptr<Communicator> comm)
    : config_(config),
      train_holder_(std::move(train)),
      test_holder_(std::move(test)),
      train_(*train_holder_),
      test_(*test_holder_),
      timeline_(config, train_.size()),
      comm_(own_or_simulate(std::move(comm), config)),
      task_(make_task(config.data)),
      policy_(SyncPolicy::from(config)),
      noise_(config.optimizer.noise_eta, config.optimizer.noise_gamma, config.run.seed),
      state_(initial_state(config, train_, timeline_, *comm_)),
      passes_(make_worker_passes(config, train_.shape(), state_.replicas)),
      averaged_(make_model(config, train_.shape())) {
  const bool tree = config.comm.allreduce_cost == "tree";
  comm_->meter().set_cost_model({config.comm.latency, config.comm.bandwidth, tree},
                                {config.comm.block_latency, config.comm.block_bandwidth, tree});
  comm_->meter().set_stragglers(StragglerClocks(comm_->world_size(), config.comm.straggler_probability,
                                                config.comm.straggler_seconds, config.run.seed));
  averaged_->to(comm_->device());
  const auto options = state_.replicas.params.options();
  averaged_params_ = torch::empty({1, state_.replicas.parameter_count()}, options);
  averaged_bn_ = torch::empty({1, state_.replicas.bn_stats.size(1)}, options);
  bind_to_row(averaged_->parameters(), averaged_params_, 0);
  bind_to_row(bn_statistics(*averaged_), averaged_bn_, 0);
  if (comm_->is_leader()) objective_ = task_->training_objective(train_, config.optimizer.weight_decay);
}

void Trainer::straggle(std::int64_t step) {
  StragglerClocks& clocks = comm_->meter().stragglers();
  if (!clocks.active()) return;
  clocks.advance(step);
  if (!comm_->distributed()) return;
  double own = 0;
  for (int r = 0; r < comm_->local_workers(); ++r) own += clocks.delay(comm_->first_worker() + r, step);
  if (own > 0) std::this_thread::sleep_for(std::chrono::duration<double>(own));
}

bool Trainer::train_step(std::int64_t step) {
  Replicas& replicas = state_.replicas;
  Tallies& tallies = state_.tallies;
  PhaseTimes& times = state_.phase_times;
  straggle(step);
  replicas.grads.zero_();
  std::vector<Batch> batches;
  {
    PhaseTimer timer(times, Phase::kData);
    for (int r = 0; r < replicas.count(); ++r) {
      Batch batch = state_.batches[r].next(train_, timeline_.local_batch(step), step);
      batches.push_back({batch.inputs.to(comm_->device()), batch.targets.to(comm_->device())});
    }
  }
  const auto passes = passes_->run(replicas, batches, *task_, times);
  bool finite = true;
  for (int r = 0; r < replicas.count(); ++r) {
    const double samples = static_cast<double>(batches[r].targets.size(0));
    finite = finite && std::isfinite(passes[r].loss);
    tallies.loss_sums[r] += passes[r].loss * samples;
    tallies.corrects[r] += passes[r].correct;
    tallies.samples[r] += samples;
  }
  noise_.add(replicas.grads, step, comm_->first_worker());
  StepContext context{step, timeline_.learning_rate(step), replicas, state_.optimizer, *comm_, policy_};
  {
    PhaseTimer timer(times, Phase::kExchange);
    state_.algorithm->after_backward(context);
  }
  {
    PhaseTimer timer(times, Phase::kOptimizer);
    state_.algorithm->local_update(context);
  }
  PhaseTimer timer(times, Phase::kExchange);
  state_.algorithm->after_update(context);
  return finite;
}

Trainer::Agreement Trainer::agree(std::int64_t first_nonfinite) {
  Agreement agreed;
  const auto all = comm_->all_gather({static_cast<double>(first_nonfinite), stop_requested() ? 1.0 : 0.0});
  for (std::size_t i = 0; i + 1 < all.size(); i += 2) {
    const double step = all[i];
    if (step >= 0 && (agreed.diverged_at < 0 || step < agreed.diverged_at)) agreed.diverged_at = static_cast<std::int64_t>(step);
    agreed.stop = agreed.stop || all[i + 1] != 0;
  }
  return agreed;
}

void Trainer::refresh_averaged_model() {
  torch::NoGradGuard no_grad;
  auto params = averaged_params_[0];
  comm_->global_mean(state_.replicas.params, params);
  // With local BN statistics, the evaluated model carries worker 0's, as a real cluster's rank 0 would.
  auto bn = averaged_bn_[0];
  if (policy_.bn_stats == BnStatsPolicy::kAverage)
    comm_->global_mean(state_.replicas.bn_stats, bn);
  else if (comm_->is_leader())
    bn.copy_(state_.replicas.bn_stats[0]);
  // The model the leader evaluates and saves, with statistics of its own activations when asked.
  if (config_.data.bn_recompute_batches > 0 && comm_->is_leader())
    recompute_bn_statistics(*averaged_, train_, config_.data.bn_recompute_batches, config_.data.eval_batch,
                            config_.run.seed);
}

double Trainer::weight_spread() {
  torch::NoGradGuard no_grad;
  const auto values = (state_.replicas.params - averaged_params_).to(torch::kCPU, torch::kDouble).square().sum(1).contiguous();
  std::vector<double> mine(values.data_ptr<double>(), values.data_ptr<double>() + values.numel());
  return sum_in_worker_order(comm_->all_gather(mine), 1, 0);
}

Model& Trainer::averaged_model() {
  refresh_averaged_model();
  return *averaged_;
}

EvalRecord Trainer::evaluate_after(std::int64_t step, double wall_seconds, double train_seconds) {
  Tallies& t = state_.tallies;
  std::vector<double> mine;  // per local worker: loss sum, correct, samples
  for (int r = 0; r < state_.replicas.count(); ++r) mine.insert(mine.end(), {t.loss_sums[r], t.corrects[r], t.samples[r]});
  const auto all = comm_->all_gather(mine);
  const double seen = sum_in_worker_order(all, 3, 2);
  const CommMeter& meter = comm_->meter();
  EvalRecord record;
  record.epoch = timeline_.epoch_at(step + 1);
  record.step = step + 1;
  record.samples = timeline_.samples_before(step + 1);
  record.sync_rounds = meter.stats(CommLevel::kGlobal).rounds;
  record.comm_bytes = meter.stats(CommLevel::kGlobal).bytes;
  record.block_sync_rounds = meter.stats(CommLevel::kBlock).rounds;
  record.block_comm_bytes = meter.stats(CommLevel::kBlock).bytes;
  record.injected_delay_seconds = meter.injected_delay_seconds();
  if (meter.stragglers().active()) record.straggler_seconds = meter.stragglers().seconds();
  record.modelled_comm_seconds = meter.modelled_seconds();
  const CommSection& cost = config_.comm;
  if (cost.compute_step_seconds > 0 || cost.compute_sample_seconds > 0) {
    // Phase by phase: a batch schedule's second phase costs more per step.
    const std::int64_t steps = step + 1, first = std::min(steps, timeline_.batch_switch_step());
    auto phase_cost = [&](std::int64_t count, std::int64_t at) {
      const double step_cost = cost.compute_step_seconds +
                               cost.compute_sample_seconds * static_cast<double>(timeline_.local_batch(at));
      return static_cast<double>(count) * step_cost;
    };
    record.calibrated_compute_seconds = phase_cost(first, 0);
    if (steps > first) record.calibrated_compute_seconds += phase_cost(steps - first, first);
  }
  record.lr = timeline_.learning_rate(step);
  record.local_steps = state_.algorithm->local_steps(step);
  record.train_loss = sum_in_worker_order(all, 3, 0) / seen;
  record.train_accuracy = sum_in_worker_order(all, 3, 1) / seen;
  refresh_averaged_model();  // every process takes part; the leader evaluates
  if (config_.run.record_weight_spread) record.weight_spread = weight_spread();
  if (comm_->is_leader()) {
    const auto test = evaluate(*averaged_, test_, *task_, config_.data.eval_batch);
    record.test_loss = test.loss;
    record.test_accuracy = test.accuracy;
    if (objective_) {
      record.objective = objective_->value(averaged_params_[0]);
      record.suboptimality = record.objective - objective_->minimum();
    }
  }
  record.wall_seconds = wall_seconds;
  record.train_seconds = train_seconds;
  record.workers_in_process = state_.replicas.count();
  record.distributed = comm_->distributed();
  record.global_comm = meter.stats(CommLevel::kGlobal);
  record.block_comm = meter.stats(CommLevel::kBlock);
  t.reset();
  return record;
}

RunResult Trainer::run(const EvalCallback& on_eval, const ProgressCallback& on_progress, std::int64_t until) {
  RunResult& result = state_.result;
  result.backend = comm_->name();
  result.distributed = comm_->distributed();
  result.local_from_epoch = state_.algorithm->local_from_epoch();
  const std::int64_t end = until < 0 ? timeline_.total_steps() : std::min(until, timeline_.total_steps());
  const auto start = Clock::now();
  auto elapsed = [&] { return state_.seconds_before + seconds_since(start); };
  for (auto& model : state_.replicas.models) model->train();

  std::int64_t first_nonfinite = -1;  // this process's, since the last agreement
  auto diverged = [&result](const Agreement& agreed) {  // a diverged run is a result, recorded with its step
    if (agreed.diverged_at < 0) return false;
    result.status = "diverged";
    result.diverged_at_step = agreed.diverged_at;
    return true;
  };
  for (std::int64_t step = state_.step; step < end; ++step) {
    const std::int64_t calls_before = comm_->meter().calls();
    if (!train_step(step) && first_nonfinite < 0) first_nonfinite = step;
    state_.step = step + 1;
    result.steps = step + 1;
    result.samples_seen = timeline_.samples_before(result.steps);
    const bool evaluates = timeline_.evaluates_after(step);
    // Agreement costs a collective when distributed: only where the step exchanged anyway.
    const bool exchanged = comm_->meter().calls() != calls_before;
    bool stop = false;
    if (!comm_->distributed() || exchanged || evaluates) {
      const Agreement agreed = agree(first_nonfinite);
      if (diverged(agreed)) break;
      stop = agreed.stop;
    }
    if (on_progress && comm_->is_leader()) {
      const Tallies& t = state_.tallies;
      double loss = 0, correct = 0, seen = 0;
      for (int r = 0; r < state_.replicas.count(); ++r) loss += t.loss_sums[r], correct += t.corrects[r], seen += t.samples[r];
      on_progress({step + 1, timeline_.total_steps(), timeline_.epoch_at(step + 1), loss / seen, correct / seen,
                   state_.last_test_accuracy, elapsed()});
    }
    // A non-finite test loss is a divergence as well; only the leader knows it, so agree again
    // (no exchange when the workers are simulated).
    if (evaluates && !evaluate_and_record(step, elapsed(), on_eval) && first_nonfinite < 0) first_nonfinite = step;
    if (evaluates && diverged(agree(first_nonfinite))) break;
    if (stop && state_.step < timeline_.total_steps()) {
      result.stopped = true;
      break;
    }
  }
  state_.seconds_before = elapsed();
  result.train_seconds = state_.seconds_before - result.eval_seconds;
  return result;
}

bool Trainer::evaluate_and_record(std::int64_t step, double wall, const EvalCallback& on_eval) {
  RunResult& result = state_.result;
  const auto eval_start = Clock::now();
  EvalRecord record = evaluate_after(step, wall, wall - result.eval_seconds);
  result.eval_seconds += seconds_since(eval_start);
  state_.phase_times[Phase::kEvaluation] = result.eval_seconds;
  record.phases = state_.phase_times;
  record.rss_bytes = resident_set_bytes();
  record.peak_rss_bytes = peak_resident_set_bytes();
  state_.metrics_lines.push_back(metrics_line(record));
  state_.timing_lines.push_back(timing_line(record));
  if (on_eval && comm_->is_leader()) on_eval(record);
  state_.last_test_accuracy = record.test_accuracy;
  result.final_test_accuracy = record.test_accuracy;
  result.best_test_accuracy = std::max(result.best_test_accuracy, record.test_accuracy);
  return std::isfinite(record.test_loss);
}

}  // namespace localsgd
