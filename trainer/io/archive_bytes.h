// Defines archive_bytes: a LibTorch archive serialised in memory, for write_file_atomically to
// write. LibTorch 1.13 writing an archive straight to a file aborts the process when the disk
// fills (its writer throws again from its destructor); in memory nothing can fail but
// allocation, and the file's errors are ours to report with their reason.
#pragma once

#include <string>

#include <torch/torch.h>

namespace localsgd {

std::string archive_bytes(torch::serialize::OutputArchive& archive);

}  // namespace localsgd
