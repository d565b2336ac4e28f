// Defines RunState: everything a run has built up, in one object with save and load: the step
// reached, the replicas (parameters and BN statistics), the local optimizer's momentum, the
// algorithm's own state, every worker's batch position and augmentation generator, the metric
// tallies since the last record, the communication meter, the records written so far and the
// result so far. Resuming a run is loading its state and running on from state.step; the
// checkpoint format and cadence are the reliability layer's choice (io/).
#pragma once

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "algo/algorithm.h"
#include "comm/communicator.h"
#include "data/worker_batches.h"
#include "models/replicas.h"
#include "optim/flat_sgd.h"
#include "run/phase_times.h"
#include "run/records.h"

namespace localsgd {

// Per local worker, since the last record: summed loss, correct predictions, samples.
struct Tallies {
  std::vector<double> loss_sums, corrects, samples;
  explicit Tallies(int workers = 0) : loss_sums(workers), corrects(workers), samples(workers) {}
  void reset();
};

struct RunState {
  std::int64_t step = 0;  // steps completed
  Replicas replicas;
  FlatSgd optimizer;
  std::unique_ptr<Algorithm> algorithm;
  std::vector<WorkerBatches> batches;  // one per local worker
  Tallies tallies;
  Communicator* comm = nullptr;        // its meter is part of the state
  std::vector<std::string> metrics_lines, timing_lines;  // the records so far
  RunResult result;                    // so far
  double last_test_accuracy = -1;
  double seconds_before = 0;           // wall and train seconds of the runs this one resumes
  double train_seconds_before = 0;
  PhaseTimes phase_times;              // measured, since the run started (resumes included)

  void save(torch::serialize::OutputArchive& archive) const;
  // Throws std::runtime_error when the archive holds another run's shapes.
  void load(torch::serialize::InputArchive& archive);
};

}  // namespace localsgd
