# libFuzzer targets for the config loader and the dataset readers (fuzz/README.md section of the
# top-level README, "Fuzzing"). Included at the end of the top-level CMakeLists.txt, after
# localsgd_sources() and the test targets. Two roles:
#
# - In an ordinary build (LOCALSGD_FUZZ OFF, gcc or clang), with BUILD_TESTING: registers the ctest
#   fuzz_config_and_datasets, a short bounded run of every target on its seed corpus through
#   fuzz/run.sh, which builds build-fuzz/ with clang itself. It fails (never skips) when clang or
#   libFuzzer is missing, saying to run scripts/setup.sh.
# - In build-fuzz/ (-DLOCALSGD_FUZZ=ON, CMAKE_CXX_COMPILER=clang++; fuzz/run.sh configures it):
#   the targets fuzz_config, fuzz_idx and fuzz_cifar, built with -fsanitize=fuzzer,address,undefined
#   from only the trainer sources they need. Debian's gcc-built LibTorch links as is (libstdc++).
get_filename_component(LOCALSGD_ROOT "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
option(LOCALSGD_FUZZ "Build the libFuzzer targets (clang only; see fuzz/run.sh)" OFF)

if(NOT LOCALSGD_FUZZ)
  if(BUILD_TESTING)
    # FUZZ_SECONDS per target; the whole test (clang build from scratch included) stays within
    # ~4 minutes on 2 cores. run.sh uses its own build directory, so this build is untouched.
    add_test(NAME fuzz_config_and_datasets
             COMMAND env FUZZ_SECONDS=20 bash ${LOCALSGD_ROOT}/fuzz/run.sh)
    set_tests_properties(fuzz_config_and_datasets PROPERTIES TIMEOUT 600 PROCESSORS 2)
  endif()
  return()
endif()

if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "LOCALSGD_FUZZ needs clang (libFuzzer): configure with "
                      "-DCMAKE_CXX_COMPILER=clang++ (Debian: clang, libclang-rt-14-dev; run scripts/setup.sh)")
endif()

set(LOCALSGD_FUZZ_SANITIZERS address,undefined)
# TOML++ compiled into the target (header-only) instead of Debian's shared library, so that its
# parser is instrumented too: coverage guides the fuzzer through TOML's grammar. Same source.
set(LOCALSGD_FUZZ_COMPILE_FLAGS -fsanitize=fuzzer-no-link,${LOCALSGD_FUZZ_SANITIZERS}
    -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g -O1 -DTOML_HEADER_ONLY=1)
set(LOCALSGD_FUZZ_LINK_FLAGS -fsanitize=fuzzer,${LOCALSGD_FUZZ_SANITIZERS})

include(CheckCXXSourceCompiles)
set(CMAKE_REQUIRED_FLAGS "-fsanitize=fuzzer,${LOCALSGD_FUZZ_SANITIZERS}")
check_cxx_source_compiles([[
#include <cstddef>
#include <cstdint>
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t*, std::size_t) { return 0; }
]] LOCALSGD_HAVE_LIBFUZZER)
unset(CMAKE_REQUIRED_FLAGS)
if(NOT LOCALSGD_HAVE_LIBFUZZER)
  message(FATAL_ERROR "clang cannot link -fsanitize=fuzzer,${LOCALSGD_FUZZ_SANITIZERS}: libFuzzer or "
                      "the sanitizer runtimes are missing (Debian: libclang-rt-14-dev; run scripts/setup.sh)")
endif()

# The dataset readers: one file. The config loader: config/ plus what trainer_schema() registers
# (the algorithms and models with their checks) and what those link against, and nothing else
# (a clang build from scratch is most of the CI test's time). A trainer change that needs another
# file shows up as an undefined reference when linking fuzz_config: add the file here.
# The dataset registry (data/data_kinds) brings the LIBSVM reader and the tasks its datasets define.
set(LOCALSGD_FUZZ_DATA_SOURCES "")
foreach(file data/dataset data/augment data/file_bytes data/libsvm data/data_kinds task/classification task/binary_logistic
             task/logistic_objective)
  list(APPEND LOCALSGD_FUZZ_DATA_SOURCES ${LOCALSGD_ROOT}/trainer/${file}.cpp)
endforeach()
find_package(Eigen3 3.3 REQUIRED NO_MODULE)
localsgd_sources(LOCALSGD_FUZZ_CONFIG_SOURCES config algo schedule optim)
foreach(file comm/comm_meter comm/communicator comm/mixing_matrix comm/ring_order comm/straggler_clocks comm/worker_groups
             models/model_registry models/resnet models/densenet models/logistic_regression models/parameter_layout
             util/json_record)
  list(APPEND LOCALSGD_FUZZ_CONFIG_SOURCES ${LOCALSGD_ROOT}/trainer/${file}.cpp)
endforeach()

# TOML++'s internal assertions: notes, not aborts (they compile to nothing in Debian's library).
set_source_files_properties(${LOCALSGD_ROOT}/trainer/config/config.cpp PROPERTIES
  COMPILE_OPTIONS "-include;${LOCALSGD_ROOT}/fuzz/toml_assert.h")

# One precompiled <torch/torch.h> for every fuzz object (same flags throughout).
function(localsgd_fuzz_library name)
  add_library(${name} STATIC ${ARGN})
  target_include_directories(${name} PUBLIC ${LOCALSGD_ROOT}/trainer)
  target_link_libraries(${name} PUBLIC ${TORCH_LIBRARIES} ZLIB::ZLIB Eigen3::Eigen)
  target_compile_options(${name} PUBLIC ${LOCALSGD_FUZZ_COMPILE_FLAGS})
  if(NOT name STREQUAL "localsgd_fuzz_data")
    target_precompile_headers(${name} REUSE_FROM localsgd_fuzz_data)
  else()
    target_precompile_headers(${name} PRIVATE ${LOCALSGD_ROOT}/fuzz/torch_pch.h)
  endif()
endfunction()
localsgd_fuzz_library(localsgd_fuzz_data ${LOCALSGD_FUZZ_DATA_SOURCES})
# fuzz_config links both: dataset.cpp once, in localsgd_fuzz_data.
localsgd_fuzz_library(localsgd_fuzz_config ${LOCALSGD_FUZZ_CONFIG_SOURCES})
target_link_libraries(localsgd_fuzz_config PUBLIC localsgd_fuzz_data)

function(localsgd_fuzz_target name library)
  add_executable(${name} ${LOCALSGD_ROOT}/fuzz/${name}.cpp)
  target_link_libraries(${name} PRIVATE ${library})
  target_include_directories(${name} PRIVATE ${LOCALSGD_ROOT}/fuzz)
  target_link_options(${name} PRIVATE ${LOCALSGD_FUZZ_LINK_FLAGS})
  target_compile_options(${name} PRIVATE -Wall -Wextra)
  target_precompile_headers(${name} REUSE_FROM localsgd_fuzz_data)
endfunction()
localsgd_fuzz_target(fuzz_config localsgd_fuzz_config)
localsgd_fuzz_target(fuzz_idx localsgd_fuzz_data)
# fuzz_cifar compiles dataset.cpp into itself (#include) to reach the record parser: it links
# what dataset.cpp needs, not localsgd_fuzz_data.
add_library(localsgd_fuzz_data_deps INTERFACE)
target_include_directories(localsgd_fuzz_data_deps INTERFACE ${LOCALSGD_ROOT}/trainer)
target_link_libraries(localsgd_fuzz_data_deps INTERFACE ${TORCH_LIBRARIES} ZLIB::ZLIB)
target_compile_options(localsgd_fuzz_data_deps INTERFACE ${LOCALSGD_FUZZ_COMPILE_FLAGS})
localsgd_fuzz_target(fuzz_cifar localsgd_fuzz_data_deps)
target_sources(fuzz_cifar PRIVATE ${LOCALSGD_ROOT}/trainer/data/file_bytes.cpp)
add_custom_target(localsgd_fuzz_targets DEPENDS fuzz_config fuzz_idx fuzz_cifar)
