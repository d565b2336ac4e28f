// Defines ProgressLine: what a run tells the person watching. On a terminal, one line redrawn
// in place (epoch, loss, accuracy, ETA); otherwise (a log file, Slurm) one plain line per
// evaluation, so logs stay readable.
#pragma once

#include "run/records.h"

namespace localsgd {

class ProgressLine {
 public:
  ProgressLine();
  void update(const Progress& progress);
  void evaluated(const EvalRecord& record);
  void finish();

 private:
  bool terminal_;
  double last_draw_ = -1;
  bool drawn_ = false;
};

}  // namespace localsgd
