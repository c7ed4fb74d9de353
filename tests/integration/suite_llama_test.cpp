// `servemeter suite` with a real inference engine: the shipped llamacpp preset's own command
// (`llama-server -m {model_path} --alias {model} …`) starts the test suite's llama-server (its
// build folder plays the preset's venv), and `servemeter suite llamacpp <scenario> <model-file>`
// starts it, waits for health, measures, stops it and analyzes. The scenario is the runbook's
// `single` cut down (input 128/512, 4 output tokens, 3 requests each, 1 warm-up): the test model
// (128k-token vocabulary) decodes at 8–170 tokens/s on 2 busy cores, where `single` itself (39
// requests × 256 tokens) ran past 4 minutes.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "cli/exit_codes.h"
#include "integration/llama_fixture.h"
#include "support/lifecycle_helpers.h"
#include "support/run_process.h"
#include "support/temp_dir.h"

namespace servemeter {
namespace {

TEST(LlamaSuite, SuiteStartsMeasuresAndStopsARealLlamaServer) {
  std::string bin, model_file;
  const std::string unavailable = testsupport::LlamaServerProcess::locate(bin, model_file);
  if (!unavailable.empty()) {
    if (testsupport::running_under_ci())
      FAIL() << "CI must run the llama-server tests: " << unavailable;
    GTEST_SKIP() << "llama-server unavailable: " << unavailable;
  }
  const testsupport::TempDir dir;
  const auto root = std::filesystem::path(bin).parent_path().parent_path();
  const int port = testsupport::free_port();
  std::ofstream(dir / "presets.yaml")
      << "frameworks:\n  llamacpp:\n    venv: \"" << root.string() << "\"\n    port: " << port
      << "\n    health_timeout_s: 180\n";
  std::ofstream(dir / "small-single.yaml")
      << "name: small_single\ndescription: the single scenario, cut down\ndefaults:\n"
         "  result_name: single_request\n  prompts: corpus_en\n  output_tokens: 4\n"
         "  concurrency: 1\n  num_requests: 3\n  warmup: 1\ncells:\n"
         "  - {input_tokens: 128, label: \"in=128,out=4\"}\n"
         "  - {input_tokens: 512, label: \"in=512,out=4\"}\n";
  const auto r = testsupport::run_process(
      {SERVEMETER_BINARY, "suite", "llamacpp", (dir / "small-single.yaml").string(), model_file,
       "--presets", (dir / "presets.yaml").string(), "--results-dir", (dir / "results").string(),
       "--trials", "1", "--no-progress"},
      120, {std::string("LSAN_OPTIONS=suppressions=") + SERVEMETER_LSAN_SUPPRESSIONS});
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.out << r.err;

  // The model's name is the file's stem: llama-server's --alias and the results' file name.
  const std::string name = std::filesystem::path(model_file).stem().string();
  const auto results_file = dir / "results" / "llamacpp" / ("llamacpp_" + name + "_results.json");
  ASSERT_TRUE(std::filesystem::exists(results_file)) << r.out << r.err;
  const auto results = nlohmann::json::parse(testsupport::read_text(results_file));
  ASSERT_EQ(results["results"].size(), 2u);
  for (const auto& cell : results["results"]) {
    EXPECT_EQ(cell["scenario"], "single_request");
    EXPECT_EQ(cell["success_rate"], 100.0) << cell.dump();
  }
  EXPECT_EQ(results.value("simulated", true), false);

  const std::string log = testsupport::read_text(dir / "results" / "llamacpp" / "server.log");
  EXPECT_NE(log.find("==== servemeter: starting llamacpp server: . "), std::string::npos) << log;
  EXPECT_NE(log.find("--alias " + name), std::string::npos) << log;
  std::smatch pid;
  ASSERT_TRUE(
      std::regex_search(r.err, pid, std::regex("started the llamacpp server \\(pid (\\d+)\\)")))
      << r.err;
  EXPECT_FALSE(testsupport::process_alive(std::stol(pid[1])));
  EXPECT_NE(r.out.find("stopped the llamacpp server"), std::string::npos) << r.out;
  EXPECT_TRUE(std::filesystem::exists(dir / "results" / "summary" / "comparison.md"));
}

}  // namespace
}  // namespace servemeter
