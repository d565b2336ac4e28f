# The optional MPI backend: trainer/comm/mpi/*.cpp in localsgd_core, the MPI collective tests run
# under mpirun at 2 and 4 ranks, and the all-reduce benchmark. Include it from the top-level
# CMakeLists.txt after localsgd_core and the test targets are defined.
get_filename_component(LOCALSGD_ROOT "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)

# Open MPI's deprecated C++ bindings are unused; skipping them avoids their warnings and library.
set(MPI_CXX_SKIP_MPICXX ON CACHE BOOL "Do not use the MPI C++ bindings")
# The library version string tells Open MPI (which needs --oversubscribe below) from others.
set(MPI_DETERMINE_LIBRARY_VERSION TRUE)
find_package(MPI COMPONENTS CXX)
option(LOCALSGD_WITH_MPI "Build the MPI communicator (one worker per rank)" ${MPI_CXX_FOUND})
if(NOT LOCALSGD_WITH_MPI)
  return()
endif()
if(NOT MPI_CXX_FOUND)
  message(FATAL_ERROR "LOCALSGD_WITH_MPI is ON but no MPI was found (Debian: apt install libopenmpi-dev)")
endif()

file(GLOB LOCALSGD_MPI_SOURCES CONFIGURE_DEPENDS ${LOCALSGD_ROOT}/trainer/comm/mpi/*.cpp)
target_sources(localsgd_core PRIVATE ${LOCALSGD_MPI_SOURCES})
target_link_libraries(localsgd_core PUBLIC MPI::MPI_CXX)
target_compile_definitions(localsgd_core PUBLIC LOCALSGD_HAVE_MPI=1)

target_sources(localsgd-microbench PRIVATE ${LOCALSGD_ROOT}/microbench/latency.cpp)

add_executable(localsgd_allreduce_bench ${LOCALSGD_ROOT}/bench/allreduce_bench.cpp)
target_link_libraries(localsgd_allreduce_bench PRIVATE localsgd_core)

if(BUILD_TESTING)
  file(GLOB LOCALSGD_MPI_TEST_SOURCES CONFIGURE_DEPENDS ${LOCALSGD_ROOT}/tests/mpi/*_test.cpp)
  add_executable(localsgd_mpi_tests ${LOCALSGD_ROOT}/tests/mpi/mpi_test_main.cpp ${LOCALSGD_MPI_TEST_SOURCES})
  target_link_libraries(localsgd_mpi_tests PRIVATE localsgd_core GTest::gtest)
  target_include_directories(localsgd_mpi_tests PRIVATE ${LOCALSGD_ROOT}/tests)
  target_precompile_headers(localsgd_mpi_tests PRIVATE <torch/torch.h> <gtest/gtest.h>)
  # 4 ranks on a 2-core machine need Open MPI's --oversubscribe; other MPIs lack the flag.
  set(LOCALSGD_MPI_OVERSUBSCRIBE "")
  if(MPI_CXX_LIBRARY_VERSION_STRING MATCHES "Open MPI")
    set(LOCALSGD_MPI_OVERSUBSCRIBE --oversubscribe)
  endif()
  foreach(np 2 4)
    set(extra "")
    if(np GREATER 2)
      set(extra ${LOCALSGD_MPI_OVERSUBSCRIBE})
    endif()
    add_test(NAME mpi_collectives_np${np}
             COMMAND ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} ${np} ${extra} ${MPIEXEC_PREFLAGS}
                     $<TARGET_FILE:localsgd_mpi_tests> ${MPIEXEC_POSTFLAGS})
    # Containers and CI often run as root, which mpirun refuses without these.
    set_tests_properties(mpi_collectives_np${np} PROPERTIES TIMEOUT 300
      ENVIRONMENT "OMPI_ALLOW_RUN_AS_ROOT=1;OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1")
  endforeach()
endif()

# The trainer itself under mpirun: K ranks against K simulated workers, and a killed rank.
if(BUILD_TESTING)
  add_test(NAME distributed_equals_simulated
           COMMAND bash ${LOCALSGD_ROOT}/tests/distributed_test.sh $<TARGET_FILE:localsgd-train>)
  set_tests_properties(distributed_equals_simulated PROPERTIES TIMEOUT 600)
  # Runs killed with SIGKILL and started again resume byte-identical, simulated and under mpirun.
  add_test(NAME resume_after_kill_is_exact
           COMMAND bash ${LOCALSGD_ROOT}/tests/resume_test.sh $<TARGET_FILE:localsgd-train>)
  set_tests_properties(resume_after_kill_is_exact PROPERTIES TIMEOUT 600)
  # A SIGSTOPped rank ends the job within comm.collective_timeout, named, instead of hanging it.
  add_test(NAME stuck_rank_ends_the_job
           COMMAND bash ${LOCALSGD_ROOT}/tests/collective_timeout_test.sh $<TARGET_FILE:localsgd-train>)
  set_tests_properties(stuck_rank_ends_the_job PROPERTIES TIMEOUT 180 PROCESSORS 2)
  add_test(NAME microbench_latency_two_ranks
           COMMAND bash ${LOCALSGD_ROOT}/tests/microbench_latency_test.sh $<TARGET_FILE:localsgd-microbench>)
  set_tests_properties(microbench_latency_two_ranks PROPERTIES TIMEOUT 120 PROCESSORS 2)
endif()
