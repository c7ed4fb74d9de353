// The server lifecycle end to end, with the simulator (the built servemeter binary) as each
// preset's server command: start, health wait, pull (Ollama), measure, stop; and what goes wrong
// on a real box: a server that never becomes healthy, one that dies mid-run, a command that does
// not exist, a port already taken. No GPU needed.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <thread>

#include "http/http_get.h"
#include "orchestrate/ollama_pull.h"
#include "orchestrate/presets.h"
#include "orchestrate/server_process.h"
#include "orchestrate/server_ready.h"
#include "support/lifecycle_helpers.h"
#include "support/small_benchmark.h"
#include "support/temp_dir.h"

namespace servemeter {
namespace {

using namespace std::chrono_literals;

const std::filesystem::path kShipped =
    std::filesystem::path(SERVEMETER_DATA_DIR) / "frameworks.yaml";

// The shipped presets, with `framework`'s command replaced by the simulator imitating it, as a
// user would do in their presets file.
Presets presets_with_simulator(const testsupport::TempDir& dir, const std::string& framework,
                               const std::string& profile,
                               const std::vector<std::string>& extra = {}) {
  std::string command = std::string("[\"") + SERVEMETER_BINARY + "\", sim, --profile, " + profile +
                        ", --port, \"{port}\", --model, \"{model}\", --time-scale, \"50\"";
  for (const auto& arg : extra) command += ", \"" + arg + "\"";
  command += "]";
  std::ofstream(dir / "presets.yaml") << "frameworks:\n  " << framework << ":\n"
                                      << "    command: " << command << "\n"
                                      << "    venv: \"\"\n";
  Presets presets = load_presets(kShipped, {dir / "presets.yaml"});
  return presets;
}

struct Started {
  std::unique_ptr<ServerProcess> server;
  std::string base_url;
  const FrameworkPreset* preset = nullptr;
  std::string model;
};

Started start(const Presets& presets, const std::string& framework, const std::string& model,
              const testsupport::TempDir& dir, int port = 0) {
  Started s;
  s.preset = presets.framework(framework);
  s.model = presets.resolve_model(model, framework);
  if (port == 0) port = testsupport::free_port();
  ServerStartOptions options;
  options.framework = framework;
  options.launch = launch_spec(*s.preset, {s.model, {}, port, {}});
  options.host = s.preset->host;
  options.port = port;
  options.log_file = result_paths(dir / "results", framework, model).server_log;
  s.server = ServerProcess::start(options);
  s.base_url = "http://127.0.0.1:" + std::to_string(port);
  return s;
}

ReadyWaitOptions ready_options(const Started& s, double timeout_s = 60) {
  ReadyWaitOptions options;
  options.base_url = s.base_url;
  options.health_path = s.preset->health_path;
  options.timeout_s = timeout_s;
  options.poll_interval_s = 0.1;
  return options;
}

class LifecycleWithSimulator : public ::testing::TestWithParam<std::string> {};

TEST_P(LifecycleWithSimulator, StartHealthMeasureStop) {
  const std::string framework = GetParam();
  const testsupport::TempDir dir;
  const Presets presets = presets_with_simulator(dir, framework, framework);
  Started s = start(presets, framework, "gpt-oss-20b", dir);

  const ReadyResult ready = wait_until_ready(*s.server, ready_options(s));
  ASSERT_EQ(ready.outcome, ReadyOutcome::healthy) << ready.message;
  if (s.preset->model_source == ModelSource::ollama) {
    const PullResult pull = ensure_ollama_model(s.base_url, s.model);
    ASSERT_TRUE(pull.ok) << pull.message;
    EXPECT_TRUE(pull.already_present);  // the simulator serves the model it was started with
  }
  const auto measured = testsupport::measure_small_cell(s.base_url, framework, s.preset->api,
                                                        s.model, dir / "results", {}, nullptr, 50);
  ASSERT_EQ(measured.outcome.cells.size(), 1u);
  EXPECT_EQ(measured.outcome.stop_reason, load::StopReason::none) << measured.outcome.stop_detail;
  EXPECT_TRUE(measured.outcome.cells[0].any_success) << measured.summary;
  EXPECT_TRUE(std::filesystem::exists(measured.paths.results_json));

  const StopReport stopped = s.server->stop(10s);
  EXPECT_FALSE(stopped.sigkill_needed);
  EXPECT_TRUE(stopped.end.exited) << stopped.describe();  // the simulator exits on SIGTERM
  EXPECT_EQ(stopped.end.exit_status, 0);
  const std::string log = testsupport::read_text(s.server->log_file());
  EXPECT_NE(log.find("listening on 127.0.0.1:" + s.base_url.substr(s.base_url.rfind(':') + 1)),
            std::string::npos)
      << log;
  EXPECT_EQ(s.server->log_file(), dir / "results" / framework / "server.log");
}

INSTANTIATE_TEST_SUITE_P(ShippedPresets, LifecycleWithSimulator,
                         ::testing::Values("vllm", "sglang", "ollama", "llamacpp"));

TEST(Lifecycle, AFrameworkAddedInAPresetsFileRunsWithoutCodeChange) {
  const testsupport::TempDir dir;
  std::ofstream(dir / "presets.yaml")
      << "frameworks:\n  mine:\n    port: 1\n    api: openai-completions\n"
         "    health_path: /health\n    health_timeout_s: 60\n"
         "    command: [\""
      << SERVEMETER_BINARY
      << "\", sim, --profile, vllm, --port, \"{port}\", --model, \"{model}\"]\n";
  const Presets presets = load_presets(kShipped, {dir / "presets.yaml"});
  Started s = start(presets, "mine", "my-org/my-model", dir);
  const ReadyResult ready = wait_until_ready(*s.server, ready_options(s, 60));
  ASSERT_EQ(ready.outcome, ReadyOutcome::healthy) << ready.message;
  const auto measured = testsupport::measure_small_cell(s.base_url, "mine", "openai-completions",
                                                        "my-org/my-model", dir / "results");
  EXPECT_TRUE(measured.outcome.cells.at(0).any_success) << measured.summary;
  EXPECT_EQ(s.server->stop(10s).end.exit_status, 0);
}

TEST(Lifecycle, AServerThatNeverBecomesHealthyTimesOutWithItsLog) {
  const testsupport::TempDir dir;
  const Presets presets = presets_with_simulator(dir, "vllm", "vllm", {"--loading-s", "600"});
  Started s = start(presets, "vllm", "gpt-oss-20b", dir);
  const ReadyResult ready = wait_until_ready(*s.server, ready_options(s, 1.5));
  EXPECT_EQ(ready.outcome, ReadyOutcome::timed_out);
  EXPECT_NE(ready.message.find("did not become healthy within 1.5 s (GET " + s.base_url +
                               "/health: HTTP 503)"),
            std::string::npos)
      << ready.message;
  EXPECT_NE(ready.message.find("listening on 127.0.0.1"), std::string::npos) << ready.message;
  EXPECT_EQ(s.server->stop(10s).end.exit_status, 0);
}

TEST(Lifecycle, APresetWhoseCommandDoesNotExistIsNamed) {
  const testsupport::TempDir dir;
  std::ofstream(dir / "presets.yaml")
      << "frameworks:\n  vllm:\n    venv: \"\"\n    command: [vllm-not-installed-here, serve]\n";
  const Presets presets = load_presets(kShipped, {dir / "presets.yaml"});
  try {
    start(presets, "vllm", "gpt-oss-20b", dir);
    FAIL() << "started a command that does not exist";
  } catch (const ServerStartError& e) {
    EXPECT_EQ(std::string(e.what()),
              "cannot start the vllm server: command not found: 'vllm-not-installed-here' is not "
              "on PATH; install it, or fix 'command' / 'venv' in your presets");
  }
}

TEST(Lifecycle, APortAlreadyTakenIsNamedWithItsProcess) {
  const testsupport::TempDir dir;
  const Presets presets = presets_with_simulator(dir, "sglang", "sglang");
  const testsupport::ListeningSocket taken;
  try {
    start(presets, "sglang", "gpt-oss-20b", dir, taken.port());
    FAIL() << "started on a taken port";
  } catch (const ServerStartError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("cannot start the sglang server: port " + std::to_string(taken.port()) +
                        " is already in use by pid " + std::to_string(::getpid())),
              std::string::npos)
        << what;
  }
}

TEST(Lifecycle, AServerThatDiesMidRunEndsTheRunAndSaysHowItEnded) {
  const testsupport::TempDir dir;
  // Fixed timing: every request takes ~10 s, so the kill lands while the run is going on.
  const Presets presets =
      presets_with_simulator(dir, "vllm", "vllm", {"--ttft-ms", "20", "--itl-ms", "600"});
  Started s = start(presets, "vllm", "gpt-oss-20b", dir);
  ASSERT_EQ(wait_until_ready(*s.server, ready_options(s)).outcome, ReadyOutcome::healthy);
  const pid_t pid = s.server->pid();
  std::thread killer([&] {
    // Once a request is running on the server, kill it as a crash would.
    testsupport::eventually([&] {
      const GetResult metrics = http_get(s.base_url + "/metrics", "", {}, 2000, true);
      const auto at = metrics.body.find("\nvllm:num_requests_running{");
      if (at == std::string::npos) return false;
      const auto value = metrics.body.find("} ", at);
      return value != std::string::npos && std::atof(metrics.body.c_str() + value + 2) >= 1;
    });
    ::kill(pid, SIGKILL);
  });
  const auto measured = testsupport::measure_small_cell(s.base_url, "vllm", "openai-chat", s.model,
                                                        dir / "results", {40, 1, 32, 16});
  killer.join();
  EXPECT_EQ(measured.outcome.stop_reason, load::StopReason::server_gone)
      << measured.outcome.stop_detail;
  const auto end = s.server->poll();
  ASSERT_TRUE(end.has_value());
  EXPECT_EQ(end->describe(), "was killed by signal 9 (SIGKILL)");
  EXPECT_TRUE(s.server->stop().already_ended);
}

}  // namespace
}  // namespace servemeter
