// The server lifecycle with a real inference engine: the shipped llamacpp preset's own command
// (`llama-server -m {model_path} --alias {model} …`) starts the test suite's llama-server, found
// through the preset's `venv` (its bin/ goes first on PATH), servemeter waits for health,
// measures a few requests and stops it.
#include <gtest/gtest.h>

#include <fstream>

#include "integration/llama_fixture.h"
#include "orchestrate/presets.h"
#include "orchestrate/server_process.h"
#include "orchestrate/server_ready.h"
#include "support/lifecycle_helpers.h"
#include "support/small_benchmark.h"
#include "support/temp_dir.h"

namespace servemeter {
namespace {

TEST(LlamaLifecycle, TheShippedPresetStartsMeasuresAndStopsARealLlamaServer) {
  std::string bin, model_file;
  const std::string unavailable = testsupport::LlamaServerProcess::locate(bin, model_file);
  if (!unavailable.empty()) {
    if (testsupport::running_under_ci())
      FAIL() << "CI must run the llama-server tests: " << unavailable;
    GTEST_SKIP() << "llama-server unavailable: " << unavailable;
  }
  const testsupport::TempDir dir;
  // The build folder <cache>/bin/llama-server plays the venv: only the preset's venv changes.
  const auto root = std::filesystem::path(bin).parent_path().parent_path();
  std::ofstream(dir / "presets.yaml") << "frameworks:\n  llamacpp:\n    venv: \"" << root.string()
                                      << "\"\n    health_timeout_s: 180\n";
  const Presets presets = load_presets(
      std::filesystem::path(SERVEMETER_DATA_DIR) / "frameworks.yaml", {dir / "presets.yaml"});
  const FrameworkPreset& preset = *presets.framework("llamacpp");
  const int port = testsupport::free_port();
  const LaunchValues values{"tiny-llama3", model_file, port, {}};
  const LaunchSpec spec = launch_spec(preset, values);
  ASSERT_EQ(spec.argv.front(), "llama-server");  // the preset's command, not a path

  ServerStartOptions options;
  options.framework = "llamacpp";
  options.launch = spec;
  options.port = port;
  options.log_file = dir / "results" / "llamacpp" / "server.log";
  auto server = ServerProcess::start(options);

  ReadyWaitOptions ready_options;
  ready_options.base_url = "http://127.0.0.1:" + std::to_string(port);
  ready_options.health_path = preset.health_path;
  ready_options.timeout_s = preset.health_timeout_s;
  const ReadyResult ready = wait_until_ready(*server, ready_options);
  ASSERT_EQ(ready.outcome, ReadyOutcome::healthy) << ready.message;

  const auto measured = testsupport::measure_small_cell(
      ready_options.base_url, "llamacpp", preset.api, "tiny-llama3", dir / "results",
      {.requests = 3, .concurrency = 1, .input_tokens = 32, .output_tokens = 8});
  ASSERT_EQ(measured.outcome.cells.size(), 1u);
  EXPECT_EQ(measured.outcome.stop_reason, load::StopReason::none) << measured.outcome.stop_detail;
  EXPECT_TRUE(measured.outcome.cells[0].any_success) << measured.summary << "\n"
                                                     << server->log_tail(30);
  EXPECT_EQ(measured.outcome.cells[0].entry.value("successful_requests_total", 0.0), 3.0)
      << measured.outcome.cells[0].entry.dump();

  const StopReport stopped = server->stop(std::chrono::seconds(15));
  EXPECT_FALSE(stopped.sigkill_needed) << stopped.describe();
  EXPECT_FALSE(stopped.already_ended) << stopped.describe();
  const std::string log = testsupport::read_text(options.log_file);
  EXPECT_NE(log.find("==== servemeter: starting llamacpp server: . "), std::string::npos) << log;
  EXPECT_NE(log.find("--alias tiny-llama3"), std::string::npos) << log;
}

}  // namespace
}  // namespace servemeter
