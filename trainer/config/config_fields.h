// Defines visit_config_fields(): the one list of every config key, table by table, in the
// order they are read and written. The loader and the writer both walk it, so a new key is
// added in one place. A visitor provides section(name), operator()(key, field),
// optional(key, field) for keys that are omitted when absent (negative), and
// kind_options(family, kind, config) where a family's kinds add their own keys (OptionSet).
#pragma once

#include "config/config.h"

namespace localsgd {

template <class Config, class Visitor>  // Config: RunConfig or const RunConfig
void visit_config_fields(Config& c, Visitor& v) {
  v.section("run");
  v("seed", c.run.seed);
  v("epochs", c.run.epochs);
  v("eval_every_epochs", c.run.eval_every_epochs);
  v("threads", c.run.threads);
  v("worker_passes", c.run.worker_passes);
  v("checkpoint_every_steps", c.run.checkpoint_every_steps);
  v("record_weight_spread", c.run.record_weight_spread);
  v("init_from", c.run.init_from);

  v.section("data");
  v("dataset", c.data.dataset);
  v("path", c.data.path);
  v("train_subset", c.data.train_subset);
  v("test_subset", c.data.test_subset);
  v("augment", c.data.augment);
  v("eval_batch", c.data.eval_batch);
  v("sampling", c.data.sampling);
  v("label_noise", c.data.label_noise);
  v("bn_recompute_batches", c.data.bn_recompute_batches);

  v.section("model");
  v("arch", c.model.arch);
  v("depth", c.model.depth);
  v("width", c.model.width);
  v.kind_options("model", c.model.arch, c);

  v.section("algorithm");
  v("kind", c.algorithm.kind);
  v("workers", c.algorithm.workers);
  v("local_batch", c.algorithm.local_batch);
  v("local_steps", c.algorithm.local_steps);
  v("block_size", c.algorithm.block_size);
  v("block_steps", c.algorithm.block_steps);
  v.optional("switch_epoch", c.algorithm.switch_epoch);
  v("bn_stats", c.algorithm.bn_stats);
  v("momentum", c.algorithm.momentum);
  v.kind_options("algorithm", c.algorithm.kind, c);

  v.section("optimizer");
  v("lr", c.optimizer.lr);
  v("base_batch", c.optimizer.base_batch);
  v("lr_scaling", c.optimizer.lr_scaling);
  v("momentum", c.optimizer.momentum);
  v("nesterov", c.optimizer.nesterov);
  v("weight_decay", c.optimizer.weight_decay);
  v("decay_bn", c.optimizer.decay_bn);
  v("decay_bias", c.optimizer.decay_bias);
  v("lars_coefficient", c.optimizer.lars_coefficient);
  v("noise_eta", c.optimizer.noise_eta);
  v("noise_gamma", c.optimizer.noise_gamma);

  v.section("schedule");
  v("warmup_epochs", c.schedule.warmup_epochs);
  v.optional("warmup_lr", c.schedule.warmup_lr);
  v("decay_at", c.schedule.decay_at);
  v("decay_factor", c.schedule.decay_factor);
  v("batch_factor", c.schedule.batch_factor);
  v.optional("batch_switch_epoch", c.schedule.batch_switch_epoch);

  v.section("comm");
  v("backend", c.comm.backend);
  v("global_delay", c.comm.global_delay);
  v("latency", c.comm.latency);
  v("bandwidth", c.comm.bandwidth);
  v("block_latency", c.comm.block_latency);
  v("block_bandwidth", c.comm.block_bandwidth);
  v("allreduce_cost", c.comm.allreduce_cost);
  v("collective_timeout", c.comm.collective_timeout);
  v("compute_step_seconds", c.comm.compute_step_seconds);
  v("compute_sample_seconds", c.comm.compute_sample_seconds);
  v("straggler_probability", c.comm.straggler_probability);
  v("straggler_seconds", c.comm.straggler_seconds);
}

}  // namespace localsgd
