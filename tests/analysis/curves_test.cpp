// The curves and bars commands end to end with the real gnuplot: CSV contents, rendered files
// with the right signatures, a .gp script that reruns from elsewhere, and all-or-nothing outputs.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "analysis_error.h"
#include "bars_command.h"
#include "curves_command.h"
#include "fake_runs.h"
#include "render.h"

namespace localsgd::analysis {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using testing::read_text;
using testing::write_run;
using CurvesTest = testing::TempDirTest;

const std::vector<std::string> kSuffixes = {".csv", ".gp", ".png", ".pdf", ".svg"};

class CurvesFixture : public CurvesTest {
 protected:
  void SetUp() override {
    CurvesTest::SetUp();
    write_run(path("runs/local/seed1"), {0.8, 0.85, 0.9});
    write_run(path("runs/local/seed2"), {0.9, 0.95, 0.9});
    write_run(path("runs/minibatch/seed1"), {0.6, 0.7, 0.75});
    options.out = path("figures/accuracy");
    options.series = {{"local", {path("runs/local/seed1"), path("runs/local/seed2")}},
                      {"mini-batch", {path("runs/minibatch/seed1")}}};
  }
  CurvesOptions options;
  std::ostringstream warnings;
};

TEST_F(CurvesFixture, CsvHasMeanAndSampleStdPerRecord) {
  run_curves(options, warnings);
  const std::string csv = read_text(options.out + ".csv");
  std::istringstream lines(csv);
  std::string header, first;
  std::getline(lines, header);
  std::getline(lines, first);
  EXPECT_EQ(header, "series,x,y_mean,y_std,seeds");
  // Seeds 0.8 and 0.9: mean 0.85, sample std sqrt(2 x 0.05^2 / 1) = 0.070710678...
  double x, mean, std;
  int seeds;
  ASSERT_EQ(std::sscanf(first.c_str(), "local,%lf,%lf,%lf,%d", &x, &mean, &std, &seeds), 4) << first;
  EXPECT_DOUBLE_EQ(x, 1.0);
  EXPECT_NEAR(mean, 0.85, 1e-12);
  EXPECT_NEAR(std, 0.0707107, 1e-7);
  EXPECT_EQ(seeds, 2);
  EXPECT_THAT(csv, HasSubstr("\nmini-batch,3,0.75,0,1\n"));
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 7);
}

TEST_F(CurvesFixture, XColumnFollowsTheChoice) {
  options.x = "samples";
  run_curves(options, warnings);
  EXPECT_THAT(read_text(options.out + ".csv"), HasSubstr("\nlocal,320,"));
  options.x = "wall_seconds";
  run_curves(options, warnings);
  EXPECT_THAT(read_text(options.out + ".csv"), HasSubstr("\nlocal,5,"));  // 0.5 s/step x 10
}

TEST_F(CurvesFixture, RendersPngPdfAndSvg) {
  run_curves(options, warnings);
  EXPECT_THAT(read_text(options.out + ".png"), StartsWith("\x89PNG\r\n\x1a\n"));
  EXPECT_THAT(read_text(options.out + ".pdf"), StartsWith("%PDF"));
  EXPECT_THAT(read_text(options.out + ".svg"), HasSubstr("<svg"));
  // Nothing but the five outputs is left in the output directory.
  int files = 0;
  for (const auto& entry : fs::directory_iterator(path("figures"))) {
    ++files;
    EXPECT_THAT(entry.path().filename().string(), StartsWith("accuracy."));
  }
  EXPECT_EQ(files, 5);
}

TEST_F(CurvesFixture, ScriptRerunsFromAnotherWorkingDirectory) {
  run_curves(options, warnings);
  for (const char* suffix : {".png", ".pdf", ".svg"}) fs::remove(options.out + suffix);
  fs::create_directories(path("elsewhere"));
  const std::string command = "cd " + shell_quote(path("elsewhere")) +
                              " && gnuplot ../figures/accuracy.gp 2>/dev/null";
  ASSERT_EQ(std::system(command.c_str()), 0);
  EXPECT_THAT(read_text(options.out + ".png"), StartsWith("\x89PNG"));
  EXPECT_THAT(read_text(options.out + ".pdf"), StartsWith("%PDF"));
  EXPECT_THAT(read_text(options.out + ".svg"), HasSubstr("<svg"));
  EXPECT_TRUE(fs::is_empty(path("elsewhere")));
}

TEST_F(CurvesFixture, DivergedRunIsDrawnAndNamed) {
  write_run(path("runs/local/seed3"), {0.1, std::nan("")}, "diverged");
  options.series[0].run_dirs.push_back(path("runs/local/seed3"));
  run_curves(options, warnings);
  EXPECT_THAT(warnings.str(), HasSubstr(path("runs/local/seed3") + " diverged"));
  const std::string csv = read_text(options.out + ".csv");
  EXPECT_THAT(csv, HasSubstr("\nlocal,1,0.6"));     // (0.8 + 0.9 + 0.1) / 3, up to rounding
  EXPECT_THAT(csv, HasSubstr(",3\nlocal,2,"));      // three seeds, then two
  EXPECT_THAT(csv, HasSubstr(",2\nlocal,3,0.9,0,2\n"));
}

TEST_F(CurvesFixture, GnuplotFailureLeavesNoOutputs) {
  options.gnuplot = "false";
  EXPECT_THAT([&] { run_curves(options, warnings); },
              ::testing::ThrowsMessage<AnalysisError>(HasSubstr("false failed")));
  EXPECT_TRUE(fs::is_empty(path("figures")));
}

TEST_F(CurvesFixture, BadInputLeavesNoOutputs) {
  testing::write_text(path("runs/local/seed2/metrics.jsonl"), "not json\n");
  EXPECT_THAT([&] { run_curves(options, warnings); },
              ::testing::ThrowsMessage<AnalysisError>(HasSubstr("seed2/metrics.jsonl:1:")));
  for (const std::string& suffix : kSuffixes) EXPECT_FALSE(fs::exists(options.out + suffix));
}

TEST_F(CurvesFixture, BarsShowBestAccuracyMeanAndStd) {
  BarsOptions bars;
  bars.out = path("figures/best");
  bars.series = options.series;
  run_bars(bars, warnings);
  // Best accuracies 0.9 and 0.95: mean 0.925, sample std 0.05 / sqrt(2) = 0.0353553390593274.
  const std::string csv = read_text(bars.out + ".csv");
  EXPECT_THAT(csv, StartsWith("label,mean,std,seeds\nlocal,0.925,0.035355339059327"));
  EXPECT_THAT(csv, ::testing::EndsWith(",2\nmini-batch,0.75,0,1\n"));
  EXPECT_THAT(read_text(bars.out + ".png"), StartsWith("\x89PNG"));
}

// Lines over X: labels LINE@X; points sorted by X within a line, lines in first-named order.
TEST_F(CurvesFixture, BarsAsLinesGroupByLineAndSortByX) {
  write_run(path("runs/local4/seed1"), {0.5, 0.7});
  BarsOptions bars;
  bars.out = path("figures/over-h");
  bars.lines = "log";
  bars.series = {{"local@16", options.series[0].run_dirs},
                 {"mini-batch@1", options.series[1].run_dirs},
                 {"local@4", {path("runs/local4/seed1")}}};
  run_bars(bars, warnings);
  // local: H = 4 best 0.7 (one seed), H = 16 best 0.9 and 0.95 (mean 0.925, std 0.0353553...).
  const std::string csv = read_text(bars.out + ".csv");
  EXPECT_THAT(csv, StartsWith("series,x,y_mean,y_std,seeds\nlocal,4,0.7,0,1\nlocal,16,0.925,0.035355339059327"));
  EXPECT_THAT(csv, ::testing::EndsWith(",2\nmini-batch,1,0.75,0,1\n"));
  EXPECT_THAT(read_text(bars.out + ".gp"), HasSubstr("set logscale x 2"));
  EXPECT_THAT(read_text(bars.out + ".gp"), HasSubstr("with filledcurves"));  // the band
  bars.series.push_back({"no-x", {path("runs/local4/seed1")}});
  bars.out = path("figures/bad");
  EXPECT_THAT([&] { run_bars(bars, warnings); },
              ::testing::ThrowsMessage<AnalysisError>(HasSubstr("label 'no-x' is not LINE@X")));
  EXPECT_FALSE(fs::exists(path("figures/bad.csv")));
}

// The binary: exit 1 with a file:line message on bad input, 2 on bad usage.
int run_binary(const std::string& args) {
  const int status = std::system((std::string(LOCALSGD_ANALYZE_BINARY) + " " + args +
                                  " 2>/dev/null").c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST_F(CurvesFixture, BinaryExitCodes) {
  const std::string series = "local=" + path("runs/local/seed1") + "," + path("runs/local/seed2");
  EXPECT_EQ(run_binary("curves --out " + path("cli/acc") + " --x epoch " + series), 0);
  EXPECT_TRUE(fs::exists(path("cli/acc.png")));
  EXPECT_EQ(run_binary("curves --out " + path("cli/acc") + " --x nonsense " + series), 2);
  EXPECT_EQ(run_binary("curves --out " + path("cli/bad") + " missing=" + path("nowhere")), 1);
  EXPECT_FALSE(fs::exists(path("cli/bad.csv")));
  EXPECT_EQ(run_binary("curves --x epoch " + series), 2);
  EXPECT_EQ(run_binary("plot"), 2);
}

}  // namespace
}  // namespace localsgd::analysis
