# NCCL backend: finds the CUDA toolkit and NCCL, defines option LOCALSGD_WITH_NCCL (default ON
# when CUDA, NCCL and MPI are all found), adds trainer/comm/nccl/*.cpp to localsgd_core with
# LOCALSGD_HAVE_NCCL=1, and the localsgd_nccl_link_check test. Include after cmake/mpi.cmake.
# Hints: -DCUDAToolkit_ROOT=/usr/local/cuda, -DNCCL_ROOT=... (or the NCCL_ROOT environment).

get_filename_component(LOCALSGD_ROOT "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
find_package(CUDAToolkit QUIET)

file(GLOB _localsgd_versioned_cuda /usr/local/cuda-*)
set(_localsgd_nccl_hints ${NCCL_ROOT} $ENV{NCCL_ROOT} ${CUDAToolkit_LIBRARY_ROOT}
    ${CUDAToolkit_TARGET_DIR} /usr/local/cuda ${_localsgd_versioned_cuda})
find_path(NCCL_INCLUDE_DIR nccl.h
  HINTS ${_localsgd_nccl_hints} ${CUDAToolkit_INCLUDE_DIRS} PATH_SUFFIXES include)
find_library(NCCL_LIBRARY nccl
  HINTS ${_localsgd_nccl_hints} ${CUDAToolkit_LIBRARY_DIR} PATH_SUFFIXES lib64 lib)

set(_localsgd_nccl_default OFF)
if(CUDAToolkit_FOUND AND NCCL_INCLUDE_DIR AND NCCL_LIBRARY AND LOCALSGD_WITH_MPI)
  set(_localsgd_nccl_default ON)
endif()
set(_localsgd_cuda_status "not found")
if(CUDAToolkit_FOUND)
  set(_localsgd_cuda_status "${CUDAToolkit_VERSION} at ${CUDAToolkit_BIN_DIR}")
endif()
message(STATUS "NCCL backend: CUDA toolkit ${_localsgd_cuda_status}; NCCL library ${NCCL_LIBRARY}, "
               "header dir ${NCCL_INCLUDE_DIR}; MPI ${LOCALSGD_WITH_MPI} -> LOCALSGD_WITH_NCCL default ${_localsgd_nccl_default}")
option(LOCALSGD_WITH_NCCL "Build the NCCL communicator (needs CUDA toolkit, NCCL, MPI)" ${_localsgd_nccl_default})

if(LOCALSGD_WITH_NCCL)
  if(NOT (CUDAToolkit_FOUND AND NCCL_INCLUDE_DIR AND NCCL_LIBRARY AND LOCALSGD_WITH_MPI))
    message(FATAL_ERROR "LOCALSGD_WITH_NCCL is ON but the CUDA toolkit, NCCL or MPI is missing "
                        "(see the 'NCCL backend' line above; set CUDAToolkit_ROOT / NCCL_ROOT)")
  endif()
  if(NOT TARGET localsgd::nccl)
    add_library(localsgd::nccl UNKNOWN IMPORTED)
    set_target_properties(localsgd::nccl PROPERTIES
      IMPORTED_LOCATION "${NCCL_LIBRARY}" INTERFACE_INCLUDE_DIRECTORIES "${NCCL_INCLUDE_DIR}")
  endif()
  # Plain C++ against the CUDA runtime API: the CUDA language (nvcc) is not enabled.
  file(GLOB LOCALSGD_NCCL_SOURCES CONFIGURE_DEPENDS ${LOCALSGD_ROOT}/trainer/comm/nccl/*.cpp)
  target_sources(localsgd_core PRIVATE ${LOCALSGD_NCCL_SOURCES})
  target_link_libraries(localsgd_core PUBLIC MPI::MPI_CXX CUDA::cudart localsgd::nccl)
  target_compile_definitions(localsgd_core PUBLIC LOCALSGD_HAVE_NCCL=1)

  add_executable(localsgd_nccl_link_check ${LOCALSGD_ROOT}/tests/nccl/nccl_link_check.cpp)
  target_link_libraries(localsgd_nccl_link_check PRIVATE localsgd_core)
  if(BUILD_TESTING)
    add_test(NAME nccl_communicator_links COMMAND localsgd_nccl_link_check)
    set_tests_properties(nccl_communicator_links PROPERTIES
      PASS_REGULAR_EXPRESSION "NCCL version [0-9]+\\.[0-9]+\\.[0-9]+" TIMEOUT 60)
  endif()
endif()
