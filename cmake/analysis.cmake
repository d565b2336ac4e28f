# localsgd-analyze: figures (CSV + gnuplot script + PNG/PDF/SVG) and analyses of run directories.
# It links localsgd_models (models, tasks, data, the saved-model format) to rebuild saved models,
# never localsgd_core (the training loop, MPI). Included at the end of CMakeLists.txt.
find_package(nlohmann_json 3 REQUIRED)
# The Hessian's eigenvalues (Spectra's Lanczos, Eigen's tridiagonal solver) and Keskar's
# sharpness (LBFGS++'s bound-constrained L-BFGS-B): header-only Debian packages.
find_package(Eigen3 3.3 REQUIRED NO_MODULE)
find_package(Spectra REQUIRED)
find_path(LBFGSPP_INCLUDE_DIR LBFGSB.h REQUIRED)

file(GLOB LOCALSGD_ANALYSIS_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/analysis/*.cpp
     ${CMAKE_SOURCE_DIR}/analysis/*/*.cpp)
list(REMOVE_ITEM LOCALSGD_ANALYSIS_SOURCES ${CMAKE_SOURCE_DIR}/analysis/main.cpp)
add_library(localsgd_analysis STATIC ${LOCALSGD_ANALYSIS_SOURCES})
target_include_directories(localsgd_analysis PUBLIC ${CMAKE_SOURCE_DIR}/analysis)
target_include_directories(localsgd_analysis SYSTEM PRIVATE ${LBFGSPP_INCLUDE_DIR})
target_link_libraries(localsgd_analysis PUBLIC nlohmann_json::nlohmann_json localsgd_models Eigen3::Eigen
                      Spectra::Spectra)
target_compile_options(localsgd_analysis PRIVATE -Wall -Wextra)

add_executable(localsgd-analyze ${CMAKE_SOURCE_DIR}/analysis/main.cpp)
target_link_libraries(localsgd-analyze PRIVATE localsgd_analysis)

if(BUILD_TESTING)
  find_package(GTest REQUIRED)
  include(GoogleTest)
  file(GLOB LOCALSGD_ANALYSIS_TEST_SOURCES CONFIGURE_DEPENDS
       ${CMAKE_SOURCE_DIR}/tests/analysis/*_test.cpp)
  add_executable(localsgd_analysis_tests ${LOCALSGD_ANALYSIS_TEST_SOURCES})
  target_precompile_headers(localsgd_analysis_tests PRIVATE <torch/torch.h> <gtest/gtest.h>)
  target_link_libraries(localsgd_analysis_tests PRIVATE localsgd_analysis
                        GTest::gtest GTest::gmock GTest::gtest_main)
  target_compile_definitions(localsgd_analysis_tests PRIVATE
    LOCALSGD_ANALYZE_BINARY="$<TARGET_FILE:localsgd-analyze>")
  add_dependencies(localsgd_analysis_tests localsgd-analyze)
  gtest_discover_tests(localsgd_analysis_tests DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 120)
  add_test(NAME analyze_evaluate_rebuilds_saved_models
           COMMAND bash ${CMAKE_SOURCE_DIR}/tests/analysis/evaluate_test.sh
                   $<TARGET_FILE:localsgd-train> $<TARGET_FILE:localsgd-analyze>)
  set_tests_properties(analyze_evaluate_rebuilds_saved_models PROPERTIES TIMEOUT 300)
endif()
if(BUILD_TESTING)
  add_test(NAME analyze_landscape_commands
           COMMAND bash ${CMAKE_SOURCE_DIR}/tests/analysis/landscape_test.sh
                   $<TARGET_FILE:localsgd-train> $<TARGET_FILE:localsgd-analyze>)
  set_tests_properties(analyze_landscape_commands PROPERTIES TIMEOUT 600)
endif()

# bench/hessian.sh's measurement: one Hessian-vector product against one gradient.
add_executable(localsgd-hvp-bench ${CMAKE_SOURCE_DIR}/bench/hvp_bench.cpp)
target_link_libraries(localsgd-hvp-bench PRIVATE localsgd_analysis)
