// Defines check_config(): per-key ranges and enums, then the rules that combine keys
// (a combination is reported at the later of its keys, as that is the one that clashes).
#include "config/config_checks.h"

#include <algorithm>
#include <fstream>
#include <initializer_list>
#include <type_traits>

namespace localsgd::config_detail {
namespace {

std::string family_noun(const std::string& family) { return family == "model" ? "arch" : "kind"; }

template <class T>
std::string show(T value) {
  if constexpr (std::is_integral_v<T>) {
    return std::to_string(value);
  } else {
    return format_number(value);
  }
}

// Far above any paper's (K = 256, B_loc = 1024, a few dozen cores), below what overflows or
// exhausts a machine before training starts.
constexpr int kMaxThreads = 1024;
constexpr int kMaxWorkers = 4096;
constexpr std::int64_t kMaxLocalBatch = 1 << 20;

class Checker : public KeyChecker {
 public:
  Checker(KeyOrigins& origins, const Where& file, ConfigProblems& problems)
      : origins_(origins), file_(file), problems_(problems) {}

  bool present(const std::string& key) const override { return origins_.count(key) > 0; }

  void fail(const std::string& key, const std::string& message) override {
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

  // Upper bounds stop what would crash or hang later (a thread pool of 4096, 2^62 samples).
  template <class T>
  void within(const std::string& key, T value, T min, T max) {
    if (!(value >= min && value <= max))
      fail(key, "must be in [" + show(min) + ", " + show(max) + "] (got " + show(value) + ")");
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
  void clash(std::initializer_list<std::string> keys, const std::string& message) override {
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

const KindSchema* find_kind(const std::vector<KindSchema>& kinds, const std::string& name) {
  for (const auto& k : kinds)
    if (k.name == name) return &k;
  return nullptr;
}

std::vector<std::string> kind_keys(const KindSchema& kind, const std::string& family) {
  std::vector<std::string> keys = kind.keys;
  if (kind.options)
    for (const auto& k : kind.options->keys()) keys.push_back(family + "." + k);
  return keys;
}

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// A key that only other kinds of the family use may not be set: a built-in key away from its
// default, or a kind's own key present at all. Then its kind's own checks.
// Whether `key` is set to other than its default: by its text for the RunConfig's own keys, by its
// presence in the file for the keys a kind adds (they have no RunConfig field).
template <typename Texts>
bool differs_from_default(const std::string& key, const Texts& texts, const Texts& defaults, Checker& check) {
  const auto text = texts.find(key), standard = defaults.find(key);
  if (text == texts.end() && standard == defaults.end()) return check.present(key);
  return text == texts.end() || standard == defaults.end() || text->second != standard->second;
}

void check_family(const RunConfig& c, const std::vector<KindSchema>& kinds, const std::string& family,
                  const std::string& kind_key, const std::string& chosen, Checker& check) {
  const KindSchema* mine = find_kind(kinds, chosen);
  if (mine == nullptr) return;  // already reported by one_of
  const auto own = kind_keys(*mine, family);
  const auto texts = key_texts(c), defaults = key_texts(RunConfig{});
  std::vector<std::string> reported;
  for (const auto& other : kinds) {
    for (const auto& key : kind_keys(other, family)) {
      if (contains(own, key) || contains(reported, key)) continue;
      if (!differs_from_default(key, texts, defaults, check)) continue;
      // Named by the chosen kind only, so that a new kind changes no other kind's message.
      check.clash({key, kind_key}, key.substr(key.find('.') + 1) + " does not apply to " + family_noun(family) +
                                       " = " + chosen);
      reported.push_back(key);
    }
  }
  if (mine->check) mine->check(c, check);
}

void check_sections(const RunConfig& c, const ConfigSchema& schema, Checker& check) {
  check.positive("run.epochs", c.run.epochs);
  check.positive("run.eval_every_epochs", c.run.eval_every_epochs);
  check.within("run.threads", c.run.threads, 0, kMaxThreads);
  check.at_least<std::int64_t>("run.checkpoint_every_steps", c.run.checkpoint_every_steps, 0);

  const auto choices = key_choices(schema);
  check.one_of("run.worker_passes", c.run.worker_passes, choices.at("run.worker_passes"));
  check.one_of("data.dataset", c.data.dataset, choices.at("data.dataset"));
  check.at_least<std::int64_t>("data.train_subset", c.data.train_subset, 0);
  check.at_least<std::int64_t>("data.test_subset", c.data.test_subset, 0);
  check.at_least<std::int64_t>("data.eval_batch", c.data.eval_batch, 1);
  check.one_of("data.sampling", c.data.sampling, choices.at("data.sampling"));
  if (!(c.data.label_noise >= 0 && c.data.label_noise < 1))
    check.fail("data.label_noise", "must be in [0, 1) (got " + show(c.data.label_noise) + ")");
  check.at_least<std::int64_t>("data.bn_recompute_batches", c.data.bn_recompute_batches, 0);
  if (!c.run.init_from.empty() && !std::ifstream(c.run.init_from))
    check.fail("run.init_from", "cannot read the model file \"" + c.run.init_from + "\"");

  check.one_of("model.arch", c.model.arch, choices.at("model.arch"));
  check.positive("model.width", c.model.width);

  const AlgorithmSection& a = c.algorithm;
  if (!schema.algorithms_unchecked) check.one_of("algorithm.kind", a.kind, choices.at("algorithm.kind"));
  check.at_least("algorithm.block_size", a.block_size, 0);
  check.at_least<std::int64_t>("algorithm.block_steps", a.block_steps, 1);
  check.within("algorithm.workers", a.workers, 1, kMaxWorkers);
  check.within<std::int64_t>("algorithm.local_batch", a.local_batch, 1, kMaxLocalBatch);
  check.at_least<std::int64_t>("algorithm.local_steps", a.local_steps, 1);
  check.one_of("algorithm.bn_stats", a.bn_stats, choices.at("algorithm.bn_stats"));
  check.one_of("algorithm.momentum", a.momentum, choices.at("algorithm.momentum"));
  if (check.present("algorithm.switch_epoch")) {
    check.at_least("algorithm.switch_epoch", a.switch_epoch, 0.0);
  }

  check.one_of("comm.backend", c.comm.backend, choices.at("comm.backend"));
  check.one_of("comm.allreduce_cost", c.comm.allreduce_cost, choices.at("comm.allreduce_cost"));
  check.at_least("comm.global_delay", c.comm.global_delay, 0.0);
  check.at_least("comm.latency", c.comm.latency, 0.0);
  check.positive("comm.bandwidth", c.comm.bandwidth);
  check.at_least("comm.block_latency", c.comm.block_latency, 0.0);
  check.positive("comm.block_bandwidth", c.comm.block_bandwidth);
  check.at_least("comm.compute_step_seconds", c.comm.compute_step_seconds, 0.0);
  check.at_least("comm.compute_sample_seconds", c.comm.compute_sample_seconds, 0.0);
  check.at_least("comm.collective_timeout", c.comm.collective_timeout, 0.0);
  check.within("comm.straggler_probability", c.comm.straggler_probability, 0.0, 1.0);
  check.at_least("comm.straggler_seconds", c.comm.straggler_seconds, 0.0);

  const OptimizerSection& o = c.optimizer;
  check.positive("optimizer.lr", o.lr);
  check.at_least<std::int64_t>("optimizer.base_batch", o.base_batch, 1);
  check.one_of("optimizer.lr_scaling", o.lr_scaling, choices.at("optimizer.lr_scaling"));
  if (!(o.momentum >= 0 && o.momentum < 1)) {
    check.fail("optimizer.momentum", "must be in [0, 1) (got " + show(o.momentum) + ")");
  }
  check.at_least("optimizer.weight_decay", o.weight_decay, 0.0);
  check.at_least("optimizer.lars_coefficient", o.lars_coefficient, 0.0);
  check.at_least("optimizer.noise_eta", o.noise_eta, 0.0);
  check.at_least("optimizer.noise_gamma", o.noise_gamma, 0.0);

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
  check.within<std::int64_t>("schedule.batch_factor", s.batch_factor, 1, kMaxLocalBatch);
  if (check.present("schedule.batch_switch_epoch")) check.at_least("schedule.batch_switch_epoch", s.batch_switch_epoch, 0.0);
}

void check_combinations(const RunConfig& c, const ConfigSchema& schema, Checker& check) {
  if (!schema.algorithms_unchecked)
    check_family(c, schema.algorithms, "algorithm", "algorithm.kind", c.algorithm.kind, check);
  check_family(c, schema.models, "model", "model.arch", c.model.arch, check);
  if (c.optimizer.nesterov && c.optimizer.momentum == 0) {
    check.clash({"optimizer.nesterov", "optimizer.momentum"},
                "nesterov needs momentum > 0 (momentum is 0)");
  }
  if (c.data.train_subset > 0) {
    const std::string problem = batch_exceeds_training_set(c, c.data.train_subset, "data.train_subset");
    if (!problem.empty()) check.clash({"algorithm.local_batch", "algorithm.workers", "data.train_subset"}, problem);
  }
  const ScheduleSection& s = c.schedule;
  if (s.batch_factor > 1 && !check.present("schedule.batch_switch_epoch") && s.decay_at.empty()) {
    check.clash({"schedule.batch_factor", "schedule.decay_at"},
                "a batch factor switches at schedule.batch_switch_epoch or, omitted, at the first LR decay; "
                "there is neither");
  }
  if (s.batch_factor > 1 && c.algorithm.local_batch * s.batch_factor > kMaxLocalBatch) {
    check.clash({"schedule.batch_factor", "algorithm.local_batch"},
                "the second phase's batch " + std::to_string(c.algorithm.local_batch) + " x " +
                    std::to_string(s.batch_factor) + " exceeds " + std::to_string(kMaxLocalBatch));
  }
  if (c.schedule.warmup_epochs >= c.run.epochs) {
    check.clash({"schedule.warmup_epochs", "run.epochs"},
                "warmup must end before training does (warmup_epochs = " +
                    show(c.schedule.warmup_epochs) + ", run.epochs = " + show(c.run.epochs) + ")");
  }
}

}  // namespace

void check_config(const RunConfig& config, const ConfigSchema& schema, KeyOrigins& origins,
                  const Where& file, ConfigProblems& problems) {
  Checker check(origins, file, problems);
  check_sections(config, schema, check);
  check_combinations(config, schema, check);
}

}  // namespace localsgd::config_detail

namespace localsgd {

std::string batch_exceeds_training_set(const RunConfig& c, std::int64_t train_size, const std::string& source) {
  // The largest step: the second phase's when a batch schedule grows the batch.
  const std::int64_t factor = std::max<std::int64_t>(1, c.schedule.batch_factor);
  const std::int64_t step = static_cast<std::int64_t>(c.algorithm.workers) * c.algorithm.local_batch * factor;
  if (step <= train_size) return "";
  const std::string by_factor = factor > 1 ? " x schedule.batch_factor" : "";
  const std::string times_factor = factor > 1 ? " x " + std::to_string(factor) : "";
  return "one step takes algorithm.workers x algorithm.local_batch" + by_factor + " = " +
         std::to_string(c.algorithm.workers) + " x " + std::to_string(c.algorithm.local_batch) + times_factor +
         " = " + std::to_string(step) + " samples, more than the " +
         std::to_string(train_size) + " of the training set (" + source +
         "): a worker's batch would exceed its shard and the run would not keep to run.epochs; lower "
         "local_batch or workers, or train on more samples";
}

}  // namespace localsgd
