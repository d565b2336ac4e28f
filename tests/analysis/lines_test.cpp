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

LinesOptions one_line(const std::string& out, const std::string& x, const std::string& y, const std::string& label,
                      const std::string& file) {
  LinesOptions options;
  options.out = out;
  options.x = x;
  options.y = y;
  options.series = {{label, {file}}};
  return options;
}

TEST_F(LinesTest, EachRecordIsAPointOnLogAxes) {
  write_text(path("latency.jsonl"),
             "{\"bytes\": 1, \"latency_seconds\": 2e-06}\n{\"bytes\": 1024, \"latency_seconds\": 5e-06}\n");
  LinesOptions options =
      one_line(path("figures/figure5"), "bytes", "latency_seconds", "intra-node", path("latency.jsonl"));
  options.log = "xy";
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
  const LinesOptions options = one_line(path("figures/bad"), "bytes", "latency_seconds", "a", path("bad.jsonl"));
  std::ostringstream warnings;
  EXPECT_THAT([&] { run_lines(options, warnings); },
              ThrowsMessage<AnalysisError>(HasSubstr(path("bad.jsonl") + ":2")));
  EXPECT_FALSE(std::filesystem::exists(options.out + ".csv"));
}

// Points that are means over seeds (workflow/analysis_series.py) keep their spread and count.
TEST_F(LinesTest, MeansOverSeedsKeepTheirStdAndSeeds) {
  write_text(path("top.jsonl"), "{\"index\": 1, \"mean\": 90.5, \"std\": 2.5, \"seeds\": 3}\n"
                                "{\"index\": 2, \"mean\": 40, \"std\": 0, \"seeds\": 3}\n");
  LinesOptions options = one_line(path("figures/figure4a"), "index", "mean", "post-local", path("top.jsonl"));
  options.std_field = "std";
  options.seeds_field = "seeds";
  std::ostringstream warnings;
  run_lines(options, warnings);
  EXPECT_EQ(read_text(options.out + ".csv"),
            "series,x,y_mean,y_std,seeds\npost-local,1,90.5,2.5,3\npost-local,2,40,0,3\n");
  write_text(path("top.jsonl"), "{\"index\": 1, \"mean\": 90.5, \"std\": 2.5, \"seeds\": 1.5}\n");
  options.out = path("figures/bad");
  EXPECT_THAT([&] { run_lines(options, warnings); },
              ThrowsMessage<AnalysisError>(HasSubstr(path("top.jsonl") + ":1: std must be")));
  EXPECT_FALSE(std::filesystem::exists(options.out + ".csv"));
}

}  // namespace
}  // namespace localsgd::analysis
