// The MPI session the MPI test binary runs in, created by mpi_test_main.cpp before any test.
#pragma once

#include "comm/mpi/mpi_session.h"

namespace localsgd::testing {

const MpiSession& session();

}  // namespace localsgd::testing
