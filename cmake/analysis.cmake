# localsgd-analyze: figures (CSV + gnuplot script + PNG/PDF/SVG) from run directories. It reads
# run outputs only and never links the trainer or LibTorch. Included at the end of CMakeLists.txt.
find_package(nlohmann_json 3 REQUIRED)

file(GLOB LOCALSGD_ANALYSIS_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/analysis/*.cpp)
list(REMOVE_ITEM LOCALSGD_ANALYSIS_SOURCES ${CMAKE_SOURCE_DIR}/analysis/main.cpp)
add_library(localsgd_analysis STATIC ${LOCALSGD_ANALYSIS_SOURCES})
target_include_directories(localsgd_analysis PUBLIC ${CMAKE_SOURCE_DIR}/analysis)
target_link_libraries(localsgd_analysis PUBLIC nlohmann_json::nlohmann_json)
target_compile_options(localsgd_analysis PRIVATE -Wall -Wextra)

add_executable(localsgd-analyze ${CMAKE_SOURCE_DIR}/analysis/main.cpp)
target_link_libraries(localsgd-analyze PRIVATE localsgd_analysis)

if(BUILD_TESTING)
  find_package(GTest REQUIRED)
  include(GoogleTest)
  file(GLOB LOCALSGD_ANALYSIS_TEST_SOURCES CONFIGURE_DEPENDS
       ${CMAKE_SOURCE_DIR}/tests/analysis/*_test.cpp)
  add_executable(localsgd_analysis_tests ${LOCALSGD_ANALYSIS_TEST_SOURCES})
  target_link_libraries(localsgd_analysis_tests PRIVATE localsgd_analysis
                        GTest::gtest GTest::gmock GTest::gtest_main)
  target_compile_definitions(localsgd_analysis_tests PRIVATE
    LOCALSGD_ANALYZE_BINARY="$<TARGET_FILE:localsgd-analyze>")
  add_dependencies(localsgd_analysis_tests localsgd-analyze)
  gtest_discover_tests(localsgd_analysis_tests DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 120)
endif()
