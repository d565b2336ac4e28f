#include "atomic_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace localsgd {
namespace {

void rename_or_throw(const std::string& from, const std::string& to) {
  if (std::rename(from.c_str(), to.c_str()) != 0)
    throw std::runtime_error(to + ": cannot rename from " + from + " (" + std::strerror(errno) + ")");
}

}  // namespace

void write_file_atomically(const std::string& path, const std::string& content) {
  const std::string tmp = temporary_name(path);
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error(tmp + ": cannot open for writing (" + std::strerror(errno) + ")");
    out << content;
    out.flush();
    if (!out) {
      std::remove(tmp.c_str());
      throw std::runtime_error(tmp + ": write failed");
    }
  }
  rename_or_throw(tmp, path);
}

PendingFile::PendingFile(std::string path) : path_(std::move(path)), tmp_(temporary_name(path_)) {
  out_.open(tmp_, std::ios::binary | std::ios::trunc);
  if (!out_) throw std::runtime_error(tmp_ + ": cannot open for writing (" + std::strerror(errno) + ")");
}

PendingFile::~PendingFile() {
  if (!committed_) {
    out_.close();
    std::remove(tmp_.c_str());
  }
}

void PendingFile::write_line(const std::string& line) {
  out_ << line << '\n';
  out_.flush();
  if (!out_) throw std::runtime_error(tmp_ + ": write failed");
}

void PendingFile::commit() {
  out_.close();
  rename_or_throw(tmp_, path_);
  committed_ = true;
}

}  // namespace localsgd
