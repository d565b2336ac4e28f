// main() of the MPI test binary: every rank runs every test; only rank 0 prints, and the exit
// code is non-zero if any rank failed, so mpirun/CTest see a failure wherever it happened.
#include <gtest/gtest.h>

#include <cstdio>

#include "mpi_test_env.h"

namespace localsgd::testing {
namespace {
MpiSession* current = nullptr;

// Stands in for the result printer on ranks other than 0: only failures, tagged with the rank.
class FailurePrinter : public ::testing::EmptyTestEventListener {
 public:
  explicit FailurePrinter(int rank) : rank_(rank) {}
  void OnTestPartResult(const ::testing::TestPartResult& result) override {
    if (result.failed())
      std::fprintf(stderr, "[rank %d] %s:%d: Failure\n%s\n", rank_,
                   result.file_name() ? result.file_name() : "?", result.line_number(), result.summary());
  }

 private:
  int rank_;
};
}  // namespace

const MpiSession& session() { return *current; }
}  // namespace localsgd::testing

int main(int argc, char** argv) {
  localsgd::MpiSession session(&argc, &argv);
  localsgd::testing::current = &session;
  ::testing::InitGoogleTest(&argc, argv);
  if (session.rank() != 0) {
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
    listeners.Append(new localsgd::testing::FailurePrinter(session.rank()));
  }
  const int failed = RUN_ALL_TESTS() != 0 ? 1 : 0;
  int any_failed = 0;
  MPI_Allreduce(&failed, &any_failed, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  if (session.rank() == 0 && any_failed && !failed) std::printf("[  FAILED  ] on another rank\n");
  return any_failed;
}
