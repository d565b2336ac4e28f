// The lines command with the real gnuplot: points of a JSON-lines file in the curves CSV
// columns, a log-scale script, rendered files, and located errors for bad records.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "analysis_error.h"
#include "fake_runs.h"
#include "lines_command.h"

namespace localsgd::analysis {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using ::testing::ThrowsMessage;
using testing::read_text;
using testing::write_text;
using LinesTest = testing::TempDirTest;

TEST_F(LinesTest, EachRecordIsAPointOnLogAxes) {
  write_text(path("latency.jsonl"),
             "{\"bytes\": 1, \"latency_seconds\": 2e-06}\n{\"bytes\": 1024, \"latency_seconds\": 5e-06}\n");
  LinesOptions options;
  options.out = path("figures/figure5");
  options.x = "bytes";
  options.y = "latency_seconds";
  options.log = "xy";
  options.series = {{"intra-node", {path("latency.jsonl")}}};
  std::ostringstream warnings;
  run_lines(options, warnings);
  EXPECT_EQ(read_text(options.out + ".csv"),
            "series,x,y_mean,y_std,seeds\nintra-node,1,2e-06,0,1\nintra-node,1024,5e-06,0,1\n");
  EXPECT_THAT(read_text(options.out + ".gp"), HasSubstr("set logscale xy\n"));
  EXPECT_THAT(read_text(options.out + ".gp"), HasSubstr("set xlabel \"bytes\""));
  EXPECT_THAT(read_text(options.out + ".png"), StartsWith("\x89PNG"));
  EXPECT_THAT(read_text(options.out + ".pdf"), StartsWith("%PDF"));
}

TEST_F(LinesTest, AMissingFieldNamesTheFileAndLine) {
  write_text(path("bad.jsonl"), "{\"bytes\": 1, \"latency_seconds\": 2e-06}\n{\"bytes\": 4}\n");
  LinesOptions options;
  options.out = path("figures/bad");
  options.x = "bytes";
  options.y = "latency_seconds";
  options.series = {{"a", {path("bad.jsonl")}}};
  std::ostringstream warnings;
  EXPECT_THAT([&] { run_lines(options, warnings); },
              ThrowsMessage<AnalysisError>(HasSubstr(path("bad.jsonl") + ":2")));
  EXPECT_FALSE(std::filesystem::exists(options.out + ".csv"));
}

}  // namespace
}  // namespace localsgd::analysis
