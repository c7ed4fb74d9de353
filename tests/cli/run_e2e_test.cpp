// `servemeter run` end to end, as a user runs it: a subprocess against a simulator (in-process
// or `servemeter sim` as a second process) or a misbehaving fake server, on loopback.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli/exit_codes.h"
#include "http/fake_server.h"
#include "sim/sim_server.h"
#include "support/run_process.h"
#include "support/temp_dir.h"

namespace servemeter {
namespace {

using testsupport::run_process;

nlohmann::json read_json(const std::filesystem::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

int count_lines(const std::filesystem::path& path) {
  std::ifstream in(path);
  int n = 0;
  for (std::string line; std::getline(in, line);) ++n;
  return n;
}

TEST(RunCommand, SimulatedRunWritesBothFilesAndSummaryLine) {
  const testsupport::TempDir dir;
  const auto r = run_process({SERVEMETER_BINARY,
                              "run",
                              "--simulate",
                              "--framework",
                              "vllm",
                              "--model",
                              "llama3.1-8b",
                              "--input-tokens",
                              "64",
                              "--output-tokens",
                              "16",
                              "--concurrency",
                              "4",
                              "--num-requests",
                              "12",
                              "--warmup",
                              "2",
                              "--trials",
                              "2",
                              "--no-progress",
                              "--sim-time-scale",
                              "50",
                              "--api-key",
                              "sk-never-written",
                              "--results-dir",
                              dir.string()});
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.err;
  EXPECT_NE(r.out.find("[custom] in=64,out=16 conc=4 | TTFT="), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("success=100.0%"), std::string::npos) << r.out;
  const auto base = dir / "vllm" / "vllm_llama3.1-8b";
  const auto doc = read_json(base.string() + "_results.json");
  EXPECT_EQ(doc["simulated"], true);
  EXPECT_EQ(doc["model_id"], "meta-llama/Llama-3.1-8B-Instruct");
  EXPECT_EQ(doc["request_options"]["exact_output_length"], true);
  const auto& cell = doc["results"][0];
  EXPECT_EQ(cell["num_trials"], 2);
  EXPECT_EQ(cell["num_requests"], 24);
  EXPECT_DOUBLE_EQ(cell["success_rate"].get<double>(), 100.0);
  EXPECT_GT(cell["avg_ttft_ms"].get<double>(), 0);
  EXPECT_TRUE(cell["trial_stats"]["avg_ttft_ms"]["ci95_low"].is_number());
  // 2 trials × (2 warm-up + 12 measured)
  EXPECT_EQ(count_lines(base.string() + "_requests.jsonl"), 28);
  // The key is redacted everywhere.
  std::ifstream results(base.string() + "_results.json"),
      requests(base.string() + "_requests.jsonl");
  const std::string all((std::istreambuf_iterator<char>(results)), {});
  const std::string raw((std::istreambuf_iterator<char>(requests)), {});
  EXPECT_EQ(all.find("sk-never-written"), std::string::npos);
  EXPECT_EQ(raw.find("sk-never-written"), std::string::npos);
}

TEST(RunCommand, AgainstSimProcessMarksSimulatedAndUsesOllamaApi) {
  // `servemeter sim` as its own process; the first line it prints says where it listens.
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  const pid_t sim = fork();
  if (sim == 0) {
    dup2(pipe_fds[1], 1);
    execl(SERVEMETER_BINARY, SERVEMETER_BINARY, "sim", "--profile", "ollama", "--port", "0",
          "--time-scale", "50", static_cast<char*>(nullptr));
    _exit(127);
  }
  close(pipe_fds[1]);
  std::string first_line;
  char c;
  while (read(pipe_fds[0], &c, 1) == 1 && c != '\n') first_line += c;
  ASSERT_EQ(first_line.rfind("listening on 127.0.0.1:", 0), 0u) << first_line;
  const std::string url = "http://" + first_line.substr(std::string("listening on ").size());

  const testsupport::TempDir dir;
  const auto r = run_process({SERVEMETER_BINARY, "run", "--framework", "ollama", "--model",
                              "llama3.1-8b", "--base-url", url, "--input-tokens", "32",
                              "--output-tokens", "8", "--num-requests", "3", "--warmup", "0",
                              "--no-progress", "--results-dir", dir.string()});
  kill(sim, SIGTERM);
  waitpid(sim, nullptr, 0);
  close(pipe_fds[0]);
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.err;
  const auto doc = read_json(dir / "ollama" / "ollama_llama3.1-8b_results.json");
  EXPECT_EQ(doc["simulated"], true);
  EXPECT_EQ(doc["api"], "ollama-chat");
  EXPECT_EQ(doc["results"][0]["successful_requests"], 3);
}

TEST(RunCommand, OpenLoopReportsAchievedRateSendLagAndIntendedLatency) {
  const testsupport::TempDir dir;
  const auto r = run_process({SERVEMETER_BINARY,
                              "run",
                              "--simulate",
                              "--sim-time-scale",
                              "1",
                              "--request-rate",
                              "40",
                              "--max-concurrency",
                              "8",
                              "--num-requests",
                              "40",
                              "--warmup",
                              "0",
                              "--input-tokens",
                              "16",
                              "--output-tokens",
                              "4",
                              "--no-progress",
                              "--results-dir",
                              dir.string()});
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.err;
  const auto doc = read_json(dir / "vllm" / "vllm_llama3.1-8b_results.json");
  const auto& cell = doc["results"][0];
  EXPECT_EQ(cell["params"]["request_rate"], 40.0);
  // A Poisson schedule of 40 arrivals at 40/s: the achieved rate is near, not at, the target.
  EXPECT_GT(cell["achieved_request_rate"].get<double>(), 20.0);
  EXPECT_LT(cell["achieved_request_rate"].get<double>(), 80.0);
  EXPECT_TRUE(cell["p99_send_lag_ms"].is_number());
  EXPECT_GE(cell["avg_latency_from_intended_ms"].get<double>(),
            cell["avg_latency_ms"].get<double>());
}

TEST(RunCommand, ModelNotServedListsWhatIs) {
  sim::SimOptions options;
  auto server = sim::SimServer::start(options);
  const testsupport::TempDir dir;
  const auto r = run_process(
      {SERVEMETER_BINARY, "run", "--framework", "vllm", "--model", "no-such-model", "--base-url",
       "http://127.0.0.1:" + std::to_string(server->port()), "--results-dir", dir.string()});
  EXPECT_EQ(r.exit_code, exit_code::kModelNotServed) << r.err;
  EXPECT_NE(r.err.find("'no-such-model'"), std::string::npos) << r.err;
}

TEST(RunCommand, AllRequestsFailingIsRecordedAndExitCodeFive) {
  const testsupport::TempDir dir;
  // An OpenAI-compatible server that answers HTML (a proxy's error page).
  testing::FakeServer html([](const testing::SeenRequest& request, testing::FakeConnection& c) {
    if (request.path == "/v1/models")
      c.send_full(200, "application/json", R"({"object":"list","data":[{"id":"m"}]})");
    else
      c.send_full(200, "text/html", "<html><body>Bad gateway</body></html>");
  });
  const auto r =
      run_process({SERVEMETER_BINARY, "run", "--framework", "openai", "--model", "m", "--base-url",
                   "http://127.0.0.1:" + std::to_string(html.port()), "--num-requests", "3",
                   "--warmup", "0", "--no-progress", "--results-dir", dir.string()});
  EXPECT_EQ(r.exit_code, exit_code::kAllRequestsFailed) << r.err;
  EXPECT_NE(r.err.find("no measured request succeeded"), std::string::npos) << r.err;
  const auto doc = read_json(dir / "openai" / "openai_m_results.json");
  EXPECT_EQ(doc["results"][0]["errors"]["bad_payload"], 3);
  EXPECT_TRUE(doc["results"][0]["avg_ttft_ms"].is_null());
}

TEST(RunCommand, ServerErrorsAreRecordedWhileTheRunGoesOn) {
  sim::SimOptions options;
  options.fault_status = 500;
  options.fault_rate = 0.5;
  options.ttft_ms = 2;
  options.itl_ms = 1;
  auto server = sim::SimServer::start(options);
  const testsupport::TempDir dir;
  const auto r =
      run_process({SERVEMETER_BINARY, "run", "--framework", "vllm", "--base-url",
                   "http://127.0.0.1:" + std::to_string(server->port()), "--num-requests", "30",
                   "--warmup", "0", "--concurrency", "3", "--output-tokens", "4", "--no-progress",
                   "--results-dir", dir.string()});
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.err;
  const auto doc = read_json(dir / "vllm" / "vllm_llama3.1-8b_results.json");
  const auto& cell = doc["results"][0];
  EXPECT_GT(cell["errors"]["server_error"].get<int>(), 3);
  EXPECT_LT(cell["success_rate"].get<double>(), 100.0);
  EXPECT_GT(cell["success_rate"].get<double>(), 0.0);
}

// An OpenAI-compatible server over TLS, with the test certificate (tests/support/tls).
void answer_openai_over_tls(const testing::SeenRequest& request, testing::FakeConnection& c) {
  if (request.path == "/v1/models") {
    c.send_full(200, "application/json", R"({"object":"list","data":[{"id":"m"}]})");
    return;
  }
  if (request.method == "GET") {
    c.send_full(200, "application/json", "{}");
    return;
  }
  c.send_chunked_head(200, "text/event-stream");
  for (int i = 0; i < 4; ++i) c.send_chunk(testing::sse_event("tok"));
  c.send_chunk(
      R"(data: {"choices":[],"usage":{"prompt_tokens":8,"completion_tokens":4,"total_tokens":12}})"
      "\n\n");
  c.send_chunk(testing::kSseDone);
  c.end_chunks();
}

TEST(RunCommand, RunsOverHttpsTrustingTheGivenCa) {
  testing::FakeServerOptions tls;
  tls.tls = true;
  testing::FakeServer server(answer_openai_over_tls, tls);
  const testsupport::TempDir dir;
  const auto r =
      run_process({SERVEMETER_BINARY, "run",
                   "--framework",     "openai",
                   "--model",         "m",
                   "--base-url",      "https://127.0.0.1:" + std::to_string(server.port()),
                   "--cacert",        testing::tls_ca_file(),
                   "--num-requests",  "4",
                   "--warmup",        "0",
                   "--concurrency",   "2",
                   "--output-tokens", "4",
                   "--no-progress",   "--results-dir",
                   dir.string()});
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.err;
  const auto doc = read_json(dir / "openai" / "openai_m_results.json");
  EXPECT_EQ(doc["results"][0]["success_rate"], 100.0);
  EXPECT_EQ(doc["results"][0]["errors"].value("connect", 0), 0);
  EXPECT_EQ(doc["request_options"]["tls_verify"], true);
  EXPECT_EQ(doc["request_options"]["ca_file"], testing::tls_ca_file());
}

TEST(RunCommand, AnUntrustedCertificateSaysToPassCacertOrInsecure) {
  testing::FakeServerOptions tls;
  tls.tls = true;
  testing::FakeServer server(answer_openai_over_tls, tls);
  const testsupport::TempDir dir;
  const std::string url = "https://127.0.0.1:" + std::to_string(server.port());
  const auto r = run_process({SERVEMETER_BINARY, "run", "--framework", "openai", "--model", "m",
                              "--base-url", url, "--num-requests", "1", "--warmup", "0",
                              "--no-progress", "--results-dir", dir.string()});
  EXPECT_EQ(r.exit_code, exit_code::kServerUnavailable);
  EXPECT_NE(r.err.find(url), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("certificate"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--cacert"), std::string::npos) << r.err;
  // --insecure runs, and says so in the results.
  const auto insecure =
      run_process({SERVEMETER_BINARY, "run", "--framework", "openai", "--model", "m", "--base-url",
                   url, "--insecure", "--num-requests", "2", "--warmup", "0", "--no-progress",
                   "--results-dir", dir.string()});
  ASSERT_EQ(insecure.exit_code, exit_code::kOk) << insecure.err;
  const auto doc = read_json(dir / "openai" / "openai_m_results.json");
  EXPECT_EQ(doc["request_options"]["tls_verify"], false);
}

}  // namespace
}  // namespace servemeter
