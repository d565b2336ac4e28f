// The `hessian` subcommand: the Hessian of each run's training loss at its saved model (Lin et
// al. Figures 4(a) and 14), on a fixed set of training samples without augmentation, BN with
// its running statistics (eval mode) unless --bn batch: the top eigenvalues by Lanczos and by
// power iteration with residuals and Hessian-vector products counted, the trace by Hutchinson
// with its standard error, and the spectral density by stochastic Lanczos quadrature. Writes
// PREFIX.jsonl (one record per run), PREFIX.csv and PREFIX.eigenvalues.jsonl (one row per
// eigenvalue), PREFIX.density.csv and PREFIX.density.jsonl (the smoothed density on its grid).
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace localsgd::analysis {

extern const char* const kHessianUsage;

void run_hessian_command(const std::vector<std::string>& args, std::ostream& log);

}  // namespace localsgd::analysis
