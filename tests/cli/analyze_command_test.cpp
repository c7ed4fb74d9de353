// `servemeter analyze` as a user runs it: the summary files, the exit codes (0; 2 for a bad flag
// or no results; 11 when an input was skipped), --format subsets, and a re-run that changes no
// byte.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/exit_codes.h"
#include "support/run_process.h"
#include "support/temp_dir.h"

namespace servemeter {
namespace {

namespace fs = std::filesystem;
using testsupport::run_process;

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

fs::path golden_copy(const testsupport::TempDir& dir) {
  const fs::path results = dir / "results";
  fs::copy(fs::path(SERVEMETER_GOLDEN_DIR) / "results", results, fs::copy_options::recursive);
  return results;
}

testsupport::ProcessResult analyze(std::vector<std::string> args) {
  args.insert(args.begin(), {SERVEMETER_BINARY, "analyze"});
  // The charts load fontconfig, whose process-long allocations LeakSanitizer (asan preset)
  // would report at exit.
  return run_process(args, 120,
                     {std::string("LSAN_OPTIONS=suppressions=") + SERVEMETER_LSAN_SUPPRESSIONS});
}

TEST(AnalyzeCommand, WritesTheSummaryAndPrintsTheVerdicts) {
  const testsupport::TempDir dir;
  const fs::path results = golden_copy(dir);
  const auto r = analyze({"--results-dir", results.string()});
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.err;
  for (const char* file :
       {"all_results.json", "comparison.md", "analysis_report.md", "report.html", "comparison.csv",
        "charts/throughput_vs_concurrency.png", "charts/gpu_memory_by_framework.svg"})
    EXPECT_TRUE(fs::exists(results / "summary" / file)) << file;
  EXPECT_NE(r.out.find("H1 supported: SGLang beats vLLM"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("SIMULATED"), std::string::npos) << r.out;
  // The raw logs' results files were written as `run` writes them.
  EXPECT_TRUE(fs::exists(results / "sglang/sglang_gpt-oss-20b_results.json"));

  // Again: the same bytes, and no results file rewritten.
  const std::string md = read(results / "summary/analysis_report.md");
  const std::string json = read(results / "summary/all_results.json");
  const auto again = analyze({"--results-dir", results.string()});
  ASSERT_EQ(again.exit_code, exit_code::kOk) << again.err;
  EXPECT_EQ(again.err.find("rewrote"), std::string::npos) << again.err;
  EXPECT_EQ(read(results / "summary/analysis_report.md"), md);
  EXPECT_EQ(read(results / "summary/all_results.json"), json);
}

TEST(AnalyzeCommand, FormatChoosesTheOutputs) {
  const testsupport::TempDir dir;
  const fs::path results = golden_copy(dir);
  const fs::path summary = dir / "out";
  const auto r = analyze(
      {"--results-dir", results.string(), "--summary-dir", summary.string(), "--format", "csv,md"});
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.err;
  EXPECT_TRUE(fs::exists(summary / "comparison.csv"));
  EXPECT_TRUE(fs::exists(summary / "comparison.md"));
  EXPECT_FALSE(fs::exists(summary / "report.html"));
  EXPECT_FALSE(fs::exists(summary / "charts"));
  EXPECT_FALSE(fs::exists(summary / "all_results.json"));
}

TEST(AnalyzeCommand, ASkippedInputIsNamedAndSaysSoInTheExitCode) {
  const testsupport::TempDir dir;
  const fs::path results = golden_copy(dir);
  fs::create_directories(results / "openai");
  std::ofstream(results / "openai/openai_gpt-oss-20b_results.json") << "{\"results\": [";
  const auto r = analyze({"--results-dir", results.string()});
  EXPECT_EQ(r.exit_code, exit_code::kAnalyzeSkippedInput) << r.err;
  EXPECT_NE(r.err.find("skipped openai/openai_gpt-oss-20b_results.json: not JSON"),
            std::string::npos)
      << r.err;
  // The summary is written from the rest, and names what was skipped.
  EXPECT_NE(read(results / "summary/analysis_report.md").find("openai_gpt-oss-20b_results.json"),
            std::string::npos);
}

TEST(AnalyzeCommand, BadFlagsAndMissingResultsAreUsageErrors) {
  const testsupport::TempDir dir;
  const auto missing = analyze({"--results-dir", (dir / "nothing").string()});
  EXPECT_EQ(missing.exit_code, exit_code::kUsage);
  EXPECT_NE(missing.err.find("does not exist"), std::string::npos) << missing.err;
  const auto empty = analyze({"--results-dir", dir.string()});
  EXPECT_EQ(empty.exit_code, exit_code::kUsage);
  EXPECT_NE(empty.err.find("no results in"), std::string::npos) << empty.err;

  const fs::path results = golden_copy(dir);
  const auto format = analyze({"--results-dir", results.string(), "--format", "pdf"});
  EXPECT_EQ(format.exit_code, exit_code::kUsage);
  EXPECT_NE(format.err.find("unknown --format 'pdf'"), std::string::npos) << format.err;
  const auto slo = analyze({"--results-dir", results.string(), "--slo", "ttft=fast"});
  EXPECT_EQ(slo.exit_code, exit_code::kUsage);
  EXPECT_NE(slo.err.find("'fast' is not a positive number"), std::string::npos) << slo.err;
  const auto model = analyze({"--results-dir", results.string(), "--model", "nope"});
  EXPECT_EQ(model.exit_code, exit_code::kUsage);
  EXPECT_NE(model.err.find("(it has: gpt-oss-20b)"), std::string::npos) << model.err;
}

TEST(AnalyzeCommand, SloRecomputesGoodputFromTheRawLogs) {
  const testsupport::TempDir dir;
  const fs::path results = golden_copy(dir);
  const auto r = analyze({"--results-dir", results.string(), "--slo", "ttft=40", "--no-rewrite"});
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.err;
  const std::string json = read(results / "summary/all_results.json");
  EXPECT_NE(json.find("\"goodput\""), std::string::npos);
  EXPECT_FALSE(fs::exists(results / "sglang/sglang_gpt-oss-20b_results.json"));  // --no-rewrite
}

}  // namespace
}  // namespace servemeter
