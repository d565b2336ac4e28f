// Defines check_config(): per-key ranges and enums, then the rules that combine keys
// (a combination is reported at the later of its keys, as that is the one that clashes).
#include "config_checks.h"

#include <initializer_list>
#include <type_traits>

namespace localsgd::config_detail {
namespace {

template <class T>
std::string show(T value) {
  if constexpr (std::is_integral_v<T>) {
    return std::to_string(value);
  } else {
    return format_number(value);
  }
}

class Checker {
 public:
  Checker(KeyOrigins& origins, const Where& file, ConfigProblems& problems)
      : origins_(origins), file_(file), problems_(problems) {}

  bool present(const std::string& key) const { return origins_.count(key) > 0; }

  void fail(const std::string& key, const std::string& message) {
    const auto it = origins_.find(key);
    if (it == origins_.end()) {
      problems_.add(file_, key, message);
      return;
    }
    it->second.bad = true;
    problems_.add(it->second.where, key, message);
  }

  template <class T>
  void at_least(const std::string& key, T value, T min) {
    if (!(value >= min)) fail(key, "must be >= " + show(min) + " (got " + show(value) + ")");
  }

  void positive(const std::string& key, double value) {
    if (!(value > 0)) fail(key, "must be > 0 (got " + show(value) + ")");
  }

  void one_of(const std::string& key, const std::string& value,
              const std::vector<std::string>& valid) {
    for (const auto& v : valid) {
      if (v == value) return;
    }
    std::string list;
    for (const auto& v : valid) list += (list.empty() ? "" : ", ") + v;
    std::string message = "'" + value + "' is not one of " + list;
    const std::string suggestion = closest_name(value, valid);
    if (!suggestion.empty()) message += " (did you mean '" + suggestion + "'?)";
    fail(key, message);
  }

  // A rule over several keys: skipped if one of them already has a problem, otherwise
  // reported at the one set last.
  void clash(std::initializer_list<std::string> keys, const std::string& message) {
    const std::string* at = nullptr;
    for (const auto& key : keys) {
      const auto it = origins_.find(key);
      if (it == origins_.end()) continue;
      if (it->second.bad) return;
      if (at == nullptr || is_later(it->second.where, origins_.at(*at).where)) at = &key;
    }
    if (at == nullptr) {
      problems_.add(file_, *keys.begin(), message);
    } else {
      problems_.add(origins_.at(*at).where, *at, message);
    }
  }

 private:
  KeyOrigins& origins_;
  const Where& file_;
  ConfigProblems& problems_;
};

void check_sections(const RunConfig& c, Checker& check) {
  check.positive("run.epochs", c.run.epochs);
  check.positive("run.eval_every_epochs", c.run.eval_every_epochs);
  check.at_least("run.threads", c.run.threads, 0);

  check.one_of("data.dataset", c.data.dataset, {"fashion-mnist", "cifar10", "cifar100"});
  check.at_least<std::int64_t>("data.train_subset", c.data.train_subset, 0);
  check.at_least<std::int64_t>("data.test_subset", c.data.test_subset, 0);
  check.at_least<std::int64_t>("data.eval_batch", c.data.eval_batch, 1);

  check.one_of("model.arch", c.model.arch, {"resnet"});
  if (c.model.depth < 8 || (c.model.depth - 2) % 6 != 0) {
    check.fail("model.depth", "must be 6n+2 with n >= 1, e.g. 20, 32, 44, 56, 110 (got " +
                                  show(c.model.depth) + ")");
  }
  if (!(c.model.width > 0)) {
    check.positive("model.width", c.model.width);
  } else if (!(16 * c.model.width >= 0.5)) {
    check.fail("model.width", "must be >= 0.03125 so that the narrowest stage (16 x width "
                              "channels) keeps a channel (got " + show(c.model.width) + ")");
  }

  const AlgorithmSection& a = c.algorithm;
  check.one_of("algorithm.kind", a.kind, {"minibatch", "local", "postlocal", "hierarchical"});
  check.at_least("algorithm.block_size", a.block_size, 0);
  check.at_least<std::int64_t>("algorithm.block_steps", a.block_steps, 1);
  check.at_least("algorithm.workers", a.workers, 1);
  check.at_least<std::int64_t>("algorithm.local_batch", a.local_batch, 1);
  check.at_least<std::int64_t>("algorithm.local_steps", a.local_steps, 1);
  check.one_of("algorithm.bn_stats", a.bn_stats, {"local", "average"});
  check.one_of("algorithm.momentum", a.momentum, {"local", "average", "reset"});
  if (check.present("algorithm.switch_epoch")) {
    check.at_least("algorithm.switch_epoch", a.switch_epoch, 0.0);
  }

  check.one_of("comm.backend", c.comm.backend, {"auto", "simulated", "mpi", "nccl"});
  check.at_least("comm.global_delay", c.comm.global_delay, 0.0);
  check.at_least("comm.latency", c.comm.latency, 0.0);
  check.positive("comm.bandwidth", c.comm.bandwidth);
  check.at_least("comm.block_latency", c.comm.block_latency, 0.0);
  check.positive("comm.block_bandwidth", c.comm.block_bandwidth);

  const OptimizerSection& o = c.optimizer;
  check.positive("optimizer.lr", o.lr);
  check.at_least<std::int64_t>("optimizer.base_batch", o.base_batch, 1);
  check.one_of("optimizer.lr_scaling", o.lr_scaling, {"linear", "sqrt", "none"});
  if (!(o.momentum >= 0 && o.momentum < 1)) {
    check.fail("optimizer.momentum", "must be in [0, 1) (got " + show(o.momentum) + ")");
  }
  check.at_least("optimizer.weight_decay", o.weight_decay, 0.0);

  const ScheduleSection& s = c.schedule;
  check.at_least("schedule.warmup_epochs", s.warmup_epochs, 0.0);
  if (check.present("schedule.warmup_lr")) check.at_least("schedule.warmup_lr", s.warmup_lr, 0.0);
  for (std::size_t i = 0; i < s.decay_at.size(); ++i) {
    const double d = s.decay_at[i];
    if (!(d > 0 && d < 1)) {
      check.fail("schedule.decay_at", "entries are fractions of training and must be strictly "
                                      "between 0 and 1 (got " + show(d) + ")");
      break;
    }
    if (i > 0 && !(d > s.decay_at[i - 1])) {
      check.fail("schedule.decay_at", "entries must be strictly increasing (got " + show(d) +
                                          " after " + show(s.decay_at[i - 1]) + ")");
      break;
    }
  }
  if (!(s.decay_factor > 0 && s.decay_factor <= 1)) {
    check.fail("schedule.decay_factor", "must be in (0, 1] (got " + show(s.decay_factor) + ")");
  }
}

void check_combinations(const RunConfig& c, Checker& check) {
  const AlgorithmSection& a = c.algorithm;
  if (a.kind == "minibatch" && a.local_steps != 1) {
    check.clash({"algorithm.kind", "algorithm.local_steps"},
                "minibatch averages gradients every step; local_steps must be 1 (got " +
                    show(a.local_steps) + ")");
  }
  if (a.kind != "hierarchical") {  // the defaults (0 and 1) mean "no blocks", so the effective config round-trips
    if (a.block_size != 0)
      check.clash({"algorithm.block_size", "algorithm.kind"}, "applies only to kind = hierarchical (kind is " + a.kind + ")");
    if (a.block_steps != 1)
      check.clash({"algorithm.block_steps", "algorithm.kind"}, "applies only to kind = hierarchical (kind is " + a.kind + ")");
  } else if (a.block_size > 0 && a.workers % a.block_size != 0) {
    check.clash({"algorithm.block_size", "algorithm.workers"},
                "blocks must divide the workers evenly (workers = " + show(a.workers) +
                    ", block_size = " + show(a.block_size) + ")");
  }
  if (check.present("algorithm.switch_epoch")) {
    if (a.kind != "postlocal") {
      check.clash({"algorithm.switch_epoch", "algorithm.kind"},
                  "switch_epoch applies only to kind = postlocal (kind is " + a.kind + ")");
    }
    if (a.switch_epoch >= c.run.epochs) {
      check.clash({"algorithm.switch_epoch", "run.epochs"},
                  "switch_epoch must be before the end of training (got " + show(a.switch_epoch) +
                      ", run.epochs = " + show(c.run.epochs) + ")");
    }
  } else if (a.kind == "postlocal" && c.schedule.decay_at.empty()) {
    check.clash({"algorithm.kind", "schedule.decay_at"},
                "postlocal switches at the first LR decay by default, but schedule.decay_at is "
                "empty; set algorithm.switch_epoch");
  }
  if (c.optimizer.nesterov && c.optimizer.momentum == 0) {
    check.clash({"optimizer.nesterov", "optimizer.momentum"},
                "nesterov needs momentum > 0 (momentum is 0)");
  }
  if (c.schedule.warmup_epochs >= c.run.epochs) {
    check.clash({"schedule.warmup_epochs", "run.epochs"},
                "warmup must end before training does (warmup_epochs = " +
                    show(c.schedule.warmup_epochs) + ", run.epochs = " + show(c.run.epochs) + ")");
  }
}

}  // namespace

void check_config(const RunConfig& config, KeyOrigins& origins, const Where& file,
                  ConfigProblems& problems) {
  Checker check(origins, file, problems);
  check_sections(config, check);
  check_combinations(config, check);
}

}  // namespace localsgd::config_detail
