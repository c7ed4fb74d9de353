// `servemeter run` with scenarios, as a user runs it: the plan, the runbook's results schema as
// the runbook's own reader sees it, exact input lengths, accumulating and resumed results, and
// every bad input named with exit code 2.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli/exit_codes.h"
#include "sim/sim_server.h"
#include "support/run_process.h"
#include "support/temp_dir.h"
#include "workload/packaged_tokenizer.h"

namespace servemeter {
namespace {

using testsupport::run_process;

nlohmann::json read_json(const std::filesystem::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

std::vector<nlohmann::json> log_lines(const std::filesystem::path& path, const std::string& type) {
  std::vector<nlohmann::json> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line);
    if (j.value("type", "") == type) out.push_back(std::move(j));
  }
  return out;
}

std::vector<std::string> simulated_run(const testsupport::TempDir& dir,
                                       std::vector<std::string> extra) {
  std::vector<std::string> args = {SERVEMETER_BINARY,  "run",       "--simulate",
                                   "--sim-time-scale", "200",       "--no-progress",
                                   "--results-dir",    dir.string()};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

// The runbook's own reader (its section 4-4), written only against its schema: one line per
// results[] entry from the keys it documents.
std::vector<std::string> runbook_summary(const nlohmann::json& data) {
  std::vector<std::string> lines;
  auto text = [](const nlohmann::json& v) { return v.dump(); };
  for (const auto& r : data.at("results"))
    lines.push_back("[" + r.at("scenario").get<std::string>() +
                    "] conc=" + text(r.at("concurrency")) + " | TTFT=" + text(r.at("avg_ttft_ms")) +
                    "ms | throughput=" + text(r.at("total_token_throughput")) +
                    "tok/s | p99=" + text(r.at("p99_latency_ms")) +
                    "ms | success=" + text(r.at("success_rate")) + "%");
  return lines;
}

TEST(ScenarioRun, TheRunbooksReaderReadsTheResults) {
  const testsupport::TempDir dir;
  const auto r = run_process(simulated_run(
      dir, {"--framework", "sglang", "--model", "llama3.1-8b", "--scenario", "single"}));
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.err;
  EXPECT_NE(r.err.find("plan: 3 cells"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("[single_request] in=128,out=256 conc=1 | TTFT="), std::string::npos)
      << r.out;
  const auto data = read_json(dir / "sglang" / "sglang_llama3.1-8b_results.json");
  EXPECT_EQ(data.at("framework"), "sglang");
  EXPECT_EQ(data.at("model_preset"), "llama3.1-8b");
  EXPECT_EQ(data.at("model"), "meta-llama/Llama-3.1-8B-Instruct");
  EXPECT_EQ(data.at("server_config").at("chat_endpoint"), "/v1/chat/completions");
  EXPECT_TRUE(data.at("gpu_info").contains("memory_used_mb"));
  const auto lines = runbook_summary(data);
  ASSERT_EQ(lines.size(), 3u);
  for (const auto& line : lines) {
    EXPECT_EQ(line.rfind("[single_request] conc=1 | TTFT=", 0), 0u) << line;
    EXPECT_NE(line.find("success=100.0%"), std::string::npos) << line;
  }
  const auto& first = data["results"][0];
  EXPECT_EQ(first["input_tokens"], 128);
  EXPECT_EQ(first["output_tokens"], 256);
  EXPECT_EQ(first["num_requests"], 10);
  EXPECT_EQ(first["framework"], "sglang");
}

TEST(ScenarioRun, PromptsLandAtTheTargetLengthAsTheServerCountsThem) {
  if (!packaged_tokenizer("llama3.1-8b")) GTEST_SKIP() << "run scripts/fetch-tokenizers.sh";
  const testsupport::TempDir dir;
  const auto r = run_process(simulated_run(
      dir, {"--framework", "vllm", "--model", "llama3.1-8b", "--scenario", "single"}));
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.err;
  const auto requests = log_lines(dir / "vllm" / "vllm_llama3.1-8b_requests.jsonl", "request");
  ASSERT_EQ(requests.size(), 39u);
  for (const auto& q : requests)
    EXPECT_EQ(q["input_tokens"], q["requested_input_tokens"]) << q.dump();
  const auto run = log_lines(dir / "vllm" / "vllm_llama3.1-8b_requests.jsonl", "run").at(0);
  EXPECT_EQ(run["request_options"]["tokenizer_exact"], true);
}

TEST(ScenarioRun, ResultsAccumulateAndResumeSkipsWhatIsMeasured) {
  const testsupport::TempDir dir;
  const std::vector<std::string> base = {"--framework",    "vllm", "--model",         "llama3.1-8b",
                                         "--input-tokens", "32",   "--output-tokens", "8",
                                         "--num-requests", "4",    "--warmup",        "0"};
  auto with = [&](std::vector<std::string> more) {
    auto args = base;
    args.insert(args.end(), more.begin(), more.end());
    return run_process(simulated_run(dir, args));
  };
  ASSERT_EQ(with({"--concurrency", "1"}).exit_code, exit_code::kOk);
  ASSERT_EQ(with({"--concurrency", "2"}).exit_code, exit_code::kOk);
  const auto results = dir / "vllm" / "vllm_llama3.1-8b_results.json";
  ASSERT_EQ(read_json(results)["results"].size(), 2u);  // the second run kept the first's cell
  const auto again = with({"--concurrency", "2", "--resume"});
  ASSERT_EQ(again.exit_code, exit_code::kOk) << again.err;
  EXPECT_NE(again.out.find("skipped: already measured"), std::string::npos) << again.out;
  EXPECT_EQ(log_lines(dir / "vllm" / "vllm_llama3.1-8b_requests.jsonl", "request").size(), 8u);
  // Without --resume the cell is measured again and replaces the earlier measurement.
  ASSERT_EQ(with({"--concurrency", "2"}).exit_code, exit_code::kOk);
  EXPECT_EQ(read_json(results)["results"].size(), 2u);
  EXPECT_EQ(log_lines(dir / "vllm" / "vllm_llama3.1-8b_requests.jsonl", "request").size(), 12u);
}

TEST(ScenarioRun, DryRunPrintsThePlanAndMeasuresNothing) {
  const testsupport::TempDir dir;
  const auto r = run_process(simulated_run(dir, {"--scenario", "all", "--dry-run"}));
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.err;
  EXPECT_NE(r.err.find("plan: 18 cells"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("[prefix_cache_control] unique,out=256"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("total: "), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "vllm" / "vllm_gpt-oss-20b_requests.jsonl"));
}

TEST(ScenarioRun, ScenariosListsEveryScenarioWithItsCells) {
  const auto r = run_process({SERVEMETER_BINARY, "scenarios"});
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.err;
  for (const char* word : {"single:", "concurrent:", "long_context:", "prefix_cache:", "korean:",
                           "[concurrent_load] in=512,out=256,conc=64", "100 requests", "on ollama"})
    EXPECT_NE(r.out.find(word), std::string::npos) << word << "\n" << r.out;
}

TEST(ScenarioRun, APromptLongerThanTheContextNamesTheCellAndTheLimit) {
  sim::SimOptions options;
  options.context_length = 3000;
  auto server = sim::SimServer::start(options);
  const testsupport::TempDir dir;
  const auto r =
      run_process({SERVEMETER_BINARY, "run", "--framework", "vllm", "--model", "llama3.1-8b",
                   "--base-url", "http://127.0.0.1:" + std::to_string(server->port()), "--scenario",
                   "long_context", "--no-progress", "--results-dir", dir.string()});
  EXPECT_EQ(r.exit_code, exit_code::kUsage) << r.err;
  EXPECT_NE(r.err.find("[long_context] in=4096,out=256,conc=1"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("3000"), std::string::npos) << r.err;
}

struct BadRun {
  std::vector<std::string> args;
  std::vector<std::string> said;
  std::vector<std::pair<std::string, std::string>> env = {};
};

TEST(ScenarioRun, BadInputIsNamedWithExitCodeTwo) {
  const testsupport::TempDir dir;
  std::ofstream(dir / "bad.yaml") << "name: mine\ncells:\n  - {result_name: x, concurency: 3}\n";
  std::ofstream(dir / "not-a-tokenizer.json") << R"({"hello": "world"})";
  const std::vector<BadRun> cases = {
      {{"--scenario", "singel"}, {"'singel'", "korean"}},
      {{"--scenario", "single", "--concurrency", "4"}, {"--concurrency", "scenario"}},
      {{"--scenario-file", (dir / "bad.yaml").string()}, {"bad.yaml", "'concurency'"}},
      {{"--scenario-file", (dir / "none.yaml").string()}, {"none.yaml"}},
      {{"--burstiness", "2"}, {"--burstiness", "--request-rate"}},
      {{"--max-concurrency", "2"}, {"--max-concurrency", "--request-rate"}},
      {{"--request-rate", "nan"}, {"--request-rate", "nan"}},
      {{"--request-timeout", "nan"}, {"--request-timeout", "nan"}},
      {{"--burstiness", "inf", "--request-rate", "1"}, {"--burstiness", "inf"}},
      {{"--slo", "ttft=fast"}, {"--slo", "'fast'"}},
      {{"--tokenizer", (dir / "not-a-tokenizer.json").string()}, {"not-a-tokenizer.json"}},
      {{}, {"BENCH_TRIALS='abc'"}, {{"BENCH_TRIALS", "abc"}}},
      {{}, {"BENCH_TRIALS='1001'"}, {{"BENCH_TRIALS", "1001"}}},
      {{}, {"BENCH_TRIALS='0'"}, {{"BENCH_TRIALS", "0"}}},
  };
  for (const auto& c : cases) {
    for (const auto& [name, value] : c.env) setenv(name.c_str(), value.c_str(), 1);
    auto args = simulated_run(dir, c.args);
    args.push_back("--dry-run");
    const auto r = run_process(args);
    for (const auto& [name, value] : c.env) unsetenv(name.c_str());
    std::string shown;
    for (const auto& a : c.args) shown += a + " ";
    EXPECT_EQ(r.exit_code, exit_code::kUsage) << shown << "\n" << r.err;
    for (const auto& word : c.said)
      EXPECT_NE(r.err.find(word), std::string::npos) << "'" << word << "' not in: " << r.err;
    EXPECT_EQ(r.err.find("terminate"), std::string::npos) << r.err;
  }
}

TEST(ScenarioRun, BenchTrialsIsUsedWhenTrialsIsNotGiven) {
  const testsupport::TempDir dir;
  setenv("BENCH_TRIALS", "2", 1);
  const auto r = run_process(
      simulated_run(dir, {"--model", "llama3.1-8b", "--input-tokens", "16", "--output-tokens", "4",
                          "--num-requests", "2", "--warmup", "0"}));
  unsetenv("BENCH_TRIALS");
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.err;
  EXPECT_EQ(read_json(dir / "vllm" / "vllm_llama3.1-8b_results.json")["results"][0]["num_trials"],
            2);
}

}  // namespace
}  // namespace servemeter
