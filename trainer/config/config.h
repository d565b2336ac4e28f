// Defines RunConfig: one training run as plain typed structs, one per TOML table.
// Defaults live at the declaration; load_config() is the only way in from a file and
// the only code that sees TOML (config.cpp). After loading, a RunConfig is treated as const.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/options.h"
#include "config/schema.h"

namespace localsgd {

// [run]
struct RunSection {
  std::uint64_t seed = 1;
  double epochs = 1.0;          // training stops once the workers together saw epochs x N samples
  double eval_every_epochs = 1.0;  // evaluation cadence; the end of training is always evaluated
  int threads = 0;              // intra-op threads; 0 = the CPUs this process may use
  // How this process's workers run their passes (passes/worker_passes.h): "one-by-one" (the
  // arithmetic of MPI runs, bit for bit) or "stacked" (all replicas as one grouped network:
  // the same maths to float rounding, faster for many narrow replicas).
  std::string worker_passes = "one-by-one";
  // Checkpoints of the run state into the run directory, so that a killed or preempted run
  // resumes exactly: after every n steps (0 = none). Removed when the run completes.
  std::int64_t checkpoint_every_steps = 0;
  // Each record also carries the weight spread Σ_k ‖x_k − x̄‖² over the K workers (Zhang et al.'s
  // diagnostic for gossip; 0 right after a global average).
  bool record_weight_spread = false;
  // A model file (model.pt of an earlier run with the same architecture) every worker starts
  // from instead of a fresh initialisation: Gu et al. start post-local SGD from a checkpoint of
  // a mini-batch SGD run. "" = initialise.
  std::string init_from;
};

// [data]
struct DataSection {
  std::string dataset = "fashion-mnist";  // fashion-mnist | cifar10 | cifar100
  std::string path;             // directory with the dataset files; "" = the dataset's default
  std::int64_t train_subset = 0;  // use the first n training samples; 0 = all
  std::int64_t test_subset = 0;   // use the first n test samples; 0 = all
  bool augment = true;          // pad-4 random crop + horizontal flip on training batches
  std::int64_t eval_batch = 500;
  // "shuffle": each epoch a fresh permutation cut into K shards (the paper's code);
  // "with-replacement": every step each worker draws B_loc samples uniformly from all N
  // (the i.i.d. sampling of Gu et al.'s analysis).
  std::string sampling = "shuffle";
  // Each training label is replaced with probability label_noise by a class drawn uniformly
  // from all classes (the true one included), afresh at every step (Gu et al.'s label noise).
  double label_noise = 0;
  // Before each evaluation the evaluated model's BN statistics are re-estimated on this many
  // training batches of eval_batch samples (no augmentation); 0 = the running statistics.
  std::int64_t bn_recompute_batches = 0;
};

// [model]
struct ModelSection {
  std::string arch = "resnet";  // a registered model (models/model_registry.cpp)
  int depth = 20;
  double width = 1.0;           // multiplier on the architecture's widths (ResNet: 16/32/64 stages)
};

// [algorithm]
struct AlgorithmSection {
  std::string kind = "local";   // a registered algorithm (algo/algorithm_registry.cpp)
  int workers = 4;              // K
  std::int64_t local_batch = 32;  // B_loc
  std::int64_t local_steps = 1;   // H
  int block_size = 0;           // hierarchical: workers per block; 0 = a node (all K when simulated)
  std::int64_t block_steps = 1;   // hierarchical: H^b block averages per global average
  double switch_epoch = -1.0;   // postlocal: epoch of the switch; omitted (< 0) = at the first LR decay
  std::string bn_stats = "local";   // local (the paper's code) | average (at every sync)
  std::string momentum = "local";   // local (the paper) | average | reset (at every sync)
};

// The keys a kind adds to its family's section, per "family:kind" ("algorithm:local-warmup").
// Filled by load_config for every registered kind; read back with options_for().
using KindOptions = std::map<std::string, std::shared_ptr<const OptionSet>>;

// [optimizer]
struct OptimizerSection {
  double lr = 0.1;              // base LR, for a global batch of base_batch
  std::int64_t base_batch = 128;
  std::string lr_scaling = "linear";  // linear | sqrt | none, in K*B_loc / base_batch
  double momentum = 0.9;
  bool nesterov = true;
  double weight_decay = 1e-4;
  bool decay_bn = false;        // apply weight decay to BN weights and biases
  bool decay_bias = true;       // apply weight decay to the other biases
  double lars_coefficient = 0;  // LARS' trust coefficient η (optim/lars.h); 0 = no LARS
  // Gradient-noise injection (optim/gradient_noise.h): variance noise_eta / (1 + t)^noise_gamma; 0 = none
  double noise_eta = 0;
  double noise_gamma = 0.55;
};

// [schedule]
struct ScheduleSection {
  double warmup_epochs = 0.0;   // gradual warm-up from warmup_lr to the scaled LR
  double warmup_lr = -1.0;      // omitted (< 0) = the base LR (unscaled), as in Goyal et al.
  std::vector<double> decay_at = {0.5, 0.75};  // fractions of training
  double decay_factor = 0.1;
  // Batch schedule (Table 2's third row): from batch_switch_epoch on, every worker's batch is
  // batch_factor x B_loc, and the LR follows optimizer.lr_scaling for the larger batch.
  std::int64_t batch_factor = 1;
  double batch_switch_epoch = -1.0;  // omitted (< 0) = at the first LR decay
};

// [comm]
struct CommSection {
  std::string backend = "auto";  // auto (mpi when started by an MPI launcher) | simulated | mpi | nccl
  double global_delay = 0.0;     // seconds added to every global average: slept when distributed,
                                 // added to the modelled time when simulated (Figure 19)
  // The cost model of simulated communication, per all-reduce over g workers:
  // ceil(log2 g) x (latency + bytes / bandwidth). Defaults: 10 Gbit/s Ethernet across blocks,
  // a PCIe-class link inside a block.
  double latency = 50e-6;        // seconds, global level
  double bandwidth = 1.25e9;     // bytes per second, global level
  double block_latency = 5e-6;   // seconds, inside a block (hierarchical SGD)
  double block_bandwidth = 10e9; // bytes per second, inside a block
  // Distributed (MPI): seconds a rank waits in one exchange before the job ends naming the rank
  // that held it up (a stopped rank, a frozen node); 0 = forever. Above any evaluation or
  // checkpoint of the leader, which the others wait for.
  double collective_timeout = 600;
  // The compute part of a simulated run's modelled time: every step of one worker costs
  // compute_step_seconds + compute_sample_seconds x local_batch, a calibration of one real
  // worker on some machine (bench/calibrate.sh), so that equal runs give equal time tables.
  // Both 0: one worker's share of this process's measured compute, which moves with the load.
  double compute_step_seconds = 0;
  double compute_sample_seconds = 0;
  // "tree": the cost model's ceil(log2 g) factor above; "flat": one latency + bytes / bandwidth
  // per all-reduce whatever g (Figure 6's time units: a communication = 25 gradient computations).
  std::string allreduce_cost = "tree";
  // Straggling workers (Figure 19 (c)): every worker, every step, is `straggler_seconds` slower
  // with probability straggler_probability (its own draws of (seed, worker, step)); a collective
  // waits for its slowest member. Slept when distributed; added to the modelled time when
  // simulated (straggler_seconds in metrics.jsonl). 0 = none.
  double straggler_probability = 0;
  double straggler_seconds = 0;
};

struct RunConfig {
  RunSection run;
  DataSection data;
  ModelSection model;
  AlgorithmSection algorithm;
  OptimizerSection optimizer;
  ScheduleSection schedule;
  CommSection comm;
  KindOptions options;
};

// A kind's own options: those the config set, else `defaults` (a config built in code).
template <class T>
T options_for(const RunConfig& config, const std::string& family, const std::string& kind, const T& defaults = T{}) {
  const auto found = config.options.find(family + ":" + kind);
  if (found == config.options.end()) return defaults;
  const auto* typed = dynamic_cast<const OptionsOf<T>*>(found->second.get());
  if (typed == nullptr) throw std::logic_error("options_for: " + family + ":" + kind + " has another type");
  return typed->value;
}

// All problems found in a config, one per line, each "file:line:col: key: message".
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parses `path`, applies `overrides` ("section.key=value", TOML value syntax; a bare word
// is taken as a string), checks types, ranges and combinations against `schema` (the kinds
// and their keys). Throws ConfigError listing every problem at once.
RunConfig load_config(const std::string& path, const std::vector<std::string>& overrides,
                      const ConfigSchema& schema);
// The same against the trainer's registered algorithms, models and datasets (defined with the
// registries, in algo/trainer_schema.cpp).
RunConfig load_config(const std::string& path, const std::vector<std::string>& overrides = {});

// "" if one step's workers x local_batch samples fit in a training set of `train_size`, else
// why not: a step past the whole set would run other than run.epochs (and a worker's batch
// would exceed its shard). Checked at load for data.train_subset, on the data for the rest.
std::string batch_exceeds_training_set(const RunConfig& config, std::int64_t train_size,
                                       const std::string& train_size_source);

// The effective config as TOML text (every key, defaults included), for the run directory.
std::string to_toml(const RunConfig& config);

// Every key of `config` in to_toml()'s order: its type ("integer", "float", "boolean",
// "string", "array"), its value as TOML text (which is also valid JSON), and whether it is an
// optional key (absent when unset: value ""). The chosen kinds' own keys included.
struct KeyInfo {
  std::string key, type, value;
  bool optional = false;
};
std::vector<KeyInfo> key_infos(const RunConfig& config);

// The keys with a fixed set of values and those values ([algorithm] kind, [model] arch and
// [data] dataset from the schema); the checks and --describe both read it.
std::map<std::string, std::vector<std::string>> key_choices(const ConfigSchema& schema);

}  // namespace localsgd
