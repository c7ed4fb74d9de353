// `servemeter suite` end to end, as a process: the built binary's simulator is each preset's
// server command (or --simulate makes it so), on ephemeral loopback ports. Start, health wait,
// measure, stop, analyze; --dry-run; --attach; frameworks that fail to start or die mid-run;
// Ctrl-C and --resume.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <map>
#include <regex>
#include <thread>

#include "cli/exit_codes.h"
#include "e2e/run_outputs.h"
#include "sim/sim_server.h"
#include "support/lifecycle_helpers.h"
#include "support/run_process.h"
#include "support/temp_dir.h"

namespace servemeter::e2e {
namespace {

using testsupport::Child;
using testsupport::ProcessResult;
using testsupport::TempDir;

struct Fw {
  std::string name;
  int port = 0;
  std::vector<std::string> command;  // empty: the simulator imitating `profile`
  std::string profile;
  std::vector<std::string> sim_args = {"--time-scale", "400"};
  double health_timeout_s = 30;
  double stop_grace_s = 5;
};

// A framework whose server is the simulator imitating `profile`.
Fw sim_fw(const std::string& name, int port, const std::string& profile,
          std::vector<std::string> sim_args = {"--time-scale", "400"},
          double health_timeout_s = 30) {
  return Fw{name, port, {}, profile, std::move(sim_args), health_timeout_s, 5};
}
// A framework whose server command is `command`.
Fw command_fw(const std::string& name, int port, std::vector<std::string> command) {
  return Fw{name, port, std::move(command), "", {}, 30, 5};
}

std::string yaml_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i)
    out += (i ? ", " : "") + std::string("\"") + items[i] + "\"";
  return out + "]";
}

// A presets file whose frameworks run the simulator (or the given command) on their own port.
// model_source none and a trivial check command keep pre-flight on this machine, offline.
std::filesystem::path write_presets(const TempDir& dir, const std::vector<Fw>& frameworks) {
  std::ofstream out(dir / "presets.yaml");
  out << "frameworks:\n";
  for (const auto& fw : frameworks) {
    std::vector<std::string> command = fw.command;
    if (command.empty()) {
      command = {SERVEMETER_BINARY, "sim",    "--profile", fw.profile,
                 "--port",          "{port}", "--model",   "{model}"};
      command.insert(command.end(), fw.sim_args.begin(), fw.sim_args.end());
    }
    out << "  " << fw.name << ":\n"
        << "    port: " << fw.port << "\n"
        << "    venv: \"\"\n"
        << "    model_source: none\n"
        << "    health_timeout_s: " << fw.health_timeout_s << "\n"
        << "    stop_grace_s: " << fw.stop_grace_s << "\n"
        << "    check_command: " << yaml_list({SERVEMETER_BINARY, "--version"}) << "\n"
        << "    command: " << yaml_list(command) << "\n";
  }
  return dir / "presets.yaml";
}

std::vector<std::string> suite_args(const std::string& frameworks, const TempDir& dir,
                                    const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args{SERVEMETER_BINARY,
                                "suite",
                                frameworks,
                                "single",
                                "gpt-oss-20b",
                                "--presets",
                                (dir / "presets.yaml").string(),
                                "--results-dir",
                                (dir / "results").string(),
                                "--trials",
                                "1",
                                "--no-progress"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

// The environment of every servemeter the tests start: no tokenizer files (the approximation is
// loaded at once, where the presets' 200k-token tokenizers take seconds under ASan), no Hugging
// Face cache of this machine's, and fontconfig's process-long allocations (summary charts) not
// reported as leaks under the asan preset.
std::vector<std::string> test_env(const TempDir& dir) {
  return {"SERVEMETER_TOKENIZER_DIR=" + (dir / "no-tokenizers").string(),
          "HF_HOME=" + (dir / "hf").string(), "HF_HUB_CACHE=" + (dir / "hf" / "hub").string(),
          std::string("LSAN_OPTIONS=suppressions=") + SERVEMETER_LSAN_SUPPRESSIONS};
}

std::filesystem::path results_file(const TempDir& dir, const std::string& fw) {
  return dir / "results" / fw / (fw + "_gpt-oss-20b_results.json");
}

// The pids the suite printed for the servers it started ("started the vllm server (pid 123)").
std::map<std::string, long> started_pids(const std::string& text) {
  std::map<std::string, long> pids;
  const std::regex started("started the (\\S+) server \\(pid (\\d+)\\)");
  for (std::sregex_iterator it(text.begin(), text.end(), started), end; it != end; ++it)
    pids[(*it)[1]] = std::stol((*it)[2]);
  return pids;
}

bool port_free(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

void expect_runbook_results(const std::filesystem::path& file) {
  ASSERT_TRUE(std::filesystem::exists(file)) << file;
  const auto results = read_json(file);
  for (const char* key :
       {"framework", "model_preset", "model", "timestamp", "server_config", "gpu_info"})
    EXPECT_TRUE(results.contains(key)) << key << " missing in " << file;
  ASSERT_EQ(results["results"].size(), 3u) << results.dump();  // single: 128 / 512 / 1024
  for (const auto& cell : results["results"]) {
    for (const char* key : {"scenario", "concurrency", "input_tokens", "output_tokens",
                            "avg_ttft_ms", "p99_latency_ms", "request_throughput", "success_rate",
                            "total_time_sec", "gpu_memory_mb"})
      EXPECT_TRUE(cell.contains(key)) << key << " missing in " << cell.dump();
    EXPECT_EQ(cell["scenario"], "single_request");
    EXPECT_EQ(cell["success_rate"], 100.0) << cell.dump();
  }
}

TEST(Suite, TwoFrameworksAreStartedMeasuredStoppedAndSummarised) {
  const TempDir dir;
  const int vllm_port = testsupport::free_port(), sglang_port = testsupport::free_port();
  write_presets(dir, {sim_fw("vllm", vllm_port, "vllm"), sim_fw("sglang", sglang_port, "sglang")});
  const ProcessResult r =
      testsupport::run_process(suite_args("vllm,sglang", dir), 180, test_env(dir));
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.out << r.err;

  for (const std::string fw : {"vllm", "sglang"}) {
    expect_runbook_results(results_file(dir, fw));
    const std::string log = read_text(dir / "results" / fw / "server.log");
    EXPECT_NE(log.find("==== servemeter: starting " + fw + " server: "), std::string::npos) << log;
    EXPECT_NE(log.find("listening on 127.0.0.1:"), std::string::npos) << log;
    EXPECT_NE(r.out.find("stopped the " + fw + " server"), std::string::npos) << r.out;
  }
  // In the order given, each stopped before the next started.
  EXPECT_LT(r.out.find("=== vllm"), r.out.find("stopped the vllm server"));
  EXPECT_LT(r.out.find("stopped the vllm server"), r.out.find("=== sglang"));
  const auto pids = started_pids(r.err);
  ASSERT_EQ(pids.size(), 2u) << r.err;
  for (const auto& [fw, pid] : pids) EXPECT_FALSE(testsupport::process_alive(pid)) << fw;
  EXPECT_TRUE(port_free(vllm_port));
  EXPECT_TRUE(port_free(sglang_port));

  EXPECT_NE(r.out.find("=== pre-flight ==="), std::string::npos) << r.out;
  EXPECT_TRUE(std::filesystem::exists(dir / "results" / "summary" / "all_results.json"));
  EXPECT_TRUE(std::filesystem::exists(dir / "results" / "summary" / "comparison.md"));
  EXPECT_NE(r.out.find("summary: " + (dir / "results" / "summary").string()), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("vllm: measured"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("sglang: measured"), std::string::npos) << r.out;
}

TEST(Suite, SimulateStartsThisBinarysSimulatorThroughTheSameLifecycle) {
  const TempDir dir;
  const int port = testsupport::free_port();
  // Only the port changes: --simulate replaces the command with the simulator, and the Ollama
  // preset's model pull goes through the simulator's /api/tags.
  std::ofstream(dir / "presets.yaml") << "frameworks:\n  ollama:\n    port: " << port << "\n";
  const ProcessResult r = testsupport::run_process(
      suite_args("ollama", dir, {"--simulate", "--sim-time-scale", "400"}), 120, test_env(dir));
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.out << r.err;
  EXPECT_NE(r.out.find("pre-flight: skipped (--simulate"), std::string::npos) << r.out;
  const auto pids = started_pids(r.err);
  ASSERT_EQ(pids.count("ollama"), 1u) << r.err;
  EXPECT_FALSE(testsupport::process_alive(pids.at("ollama")));
  EXPECT_TRUE(port_free(port));
  const std::string log = read_text(dir / "results" / "ollama" / "server.log");
  EXPECT_NE(log.find(" sim --profile ollama --port " + std::to_string(port)), std::string::npos)
      << log;
  const auto results = read_json(results_file(dir, "ollama"));
  EXPECT_EQ(results["results"].size(), 3u);
  EXPECT_EQ(results["simulated"], true) << results.dump().substr(0, 2000);
  EXPECT_NE(r.out.find("SIMULATED"), std::string::npos) << r.out;
}

TEST(Suite, DryRunPrintsEveryFrameworksCellsAndTheTotalAndStartsNothing) {
  const TempDir dir;
  const auto marker = dir / "started";
  const auto script =
      testsupport::write_script(dir / "server.sh", "touch '" + marker.string() + "'\nsleep 60\n");
  const int ports[] = {testsupport::free_port(), testsupport::free_port(),
                       testsupport::free_port()};
  write_presets(dir, {command_fw("sglang", ports[0], {script.string()}),
                      command_fw("vllm", ports[1], {script.string()}),
                      command_fw("ollama", ports[2], {script.string()})});
  auto args = suite_args("all", dir, {"--dry-run"});
  args[3] = "all";
  const ProcessResult r = testsupport::run_process(args, 60, test_env(dir));
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.out << r.err;
  for (const char* fw : {"=== sglang", "=== vllm", "=== ollama"})
    EXPECT_NE(r.out.find(fw), std::string::npos) << fw << "\n" << r.out;
  EXPECT_LT(r.out.find("=== sglang"), r.out.find("=== vllm"));  // the runbook's order
  EXPECT_LT(r.out.find("=== vllm"), r.out.find("=== ollama"));
  for (const char* cell :
       {"[single_request] in=128", "[concurrent_load]", "[long_context]", "[prefix_cache]",
        "[prefix_cache_control]", "[korean_ko]", "[korean_en]"})
    EXPECT_NE(r.out.find(cell), std::string::npos) << cell << "\n" << r.out;
  EXPECT_NE(r.out.find(" requests  ~"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("suite total: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("start: " + script.string()), std::string::npos) << r.out;
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_FALSE(std::filesystem::exists(marker));
  EXPECT_FALSE(std::filesystem::exists(dir / "results"));
}

TEST(Suite, AttachMeasuresServersAlreadyUpAndStartsOrStopsNothing) {
  sim::SimOptions options;
  options.profile = "vllm";
  options.model = "openai/gpt-oss-20b";  // what the vllm preset asks for gpt-oss-20b
  options.time_scale = 400;
  const auto server = sim::SimServer::start(options);
  const TempDir dir;
  const auto marker = dir / "started";
  const auto script =
      testsupport::write_script(dir / "server.sh", "touch '" + marker.string() + "'\n");
  write_presets(dir, {command_fw("vllm", server->port(), {script.string()})});
  const ProcessResult r =
      testsupport::run_process(suite_args("vllm", dir, {"--attach"}), 120, test_env(dir));
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.out << r.err;
  expect_runbook_results(results_file(dir, "vllm"));
  EXPECT_FALSE(std::filesystem::exists(marker));
  EXPECT_FALSE(std::filesystem::exists(dir / "results" / "vllm" / "server.log"));
  EXPECT_EQ(r.out.find("stopped the"), std::string::npos) << r.out;
  EXPECT_TRUE(std::filesystem::exists(dir / "results" / "summary" / "comparison.md"));
  EXPECT_FALSE(port_free(server->port()));  // still serving
}

// Polls a file until it holds `n` occurrences of `what`.
bool wait_for(const std::filesystem::path& file, const std::string& what, int n,
              double timeout_s = 60) {
  return testsupport::eventually(
      [&] {
        const std::string text = read_text(file);
        int count = 0;
        for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
          ++count;
        return count >= n;
      },
      std::chrono::seconds(static_cast<long>(timeout_s)));
}

// A command that does not exist, a server never healthy, one that dies mid-run, a port taken by
// another process: each is reported, and the suite goes on to the next framework.
TEST(Suite, FrameworksThatCannotStartOrDieMidRunAreReportedAndTheSuiteGoesOn) {
  const TempDir dir;
  const int ports[] = {testsupport::free_port(), testsupport::free_port(), testsupport::free_port(),
                       testsupport::free_port()};
  // A server that crashes mid-run: its simulator is killed (SIGKILL, as a crash would) once its
  // first cell has started; requests take ~50 s (200 ms a token), so one is running then.
  const auto sim_pid_file = dir / "sim.pid";
  const auto dying = testsupport::write_script(
      dir / "dying.sh", std::string("\"") + SERVEMETER_BINARY +
                            "\" sim --profile vllm --port \"$1\" --model \"$2\" --ttft-ms 20 "
                            "--itl-ms 200 &\necho $! > \"$3\"\nwait $!\n"
                            "echo 'dying.sh: crashed'\nexit 1\n");
  const Fw missing = command_fw("vllm", ports[0], {"servemeter-test-no-such-command", "serve"});
  const Fw never = sim_fw("sglang", ports[1], "sglang", {"--loading-s", "600"}, 1);
  const Fw dies =
      command_fw("llamacpp", ports[2], {dying.string(), "{port}", "{model}", sim_pid_file});
  const Fw good = sim_fw("ollama", ports[3], "ollama");
  const testsupport::ListeningSocket taken;  // another process holds this framework's port
  const Fw blocked = sim_fw("openai", taken.port(), "vllm");
  write_presets(dir, {missing, never, dies, blocked, good});
  Child suite(suite_args("vllm,sglang,llamacpp,openai,ollama", dir, {"--no-preflight"}),
              test_env(dir));
  const auto llamacpp_log = dir / "results" / "llamacpp" / "llamacpp_gpt-oss-20b_requests.jsonl";
  ASSERT_TRUE(wait_for(llamacpp_log, "\"type\":\"cell\"", 1, 120)) << read_text(llamacpp_log);
  const long sim_pid = std::stol(read_text(sim_pid_file));
  ASSERT_EQ(::kill(static_cast<pid_t>(sim_pid), SIGKILL), 0);
  const ProcessResult r = suite.wait(180);
  EXPECT_EQ(r.exit_code, exit_code::kSuiteFrameworkFailed) << r.out << r.err;
  EXPECT_NE(r.err.find("cannot start the vllm server: command not found: "
                       "'servemeter-test-no-such-command' is not on PATH"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("did not become healthy within 1 s"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Last lines of " + (dir / "results" / "sglang" / "server.log").string()),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("the llamacpp server (pid "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("exited with status 1"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("dying.sh: crashed"), std::string::npos) << r.err;  // its log's tail
  EXPECT_NE(r.out.find("vllm: FAILED — cannot start the vllm server"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("sglang: FAILED"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("llamacpp: FAILED — its run ended with exit code 9"), std::string::npos)
      << r.out;
  EXPECT_NE(r.err.find("cannot start the openai server: port " + std::to_string(taken.port()) +
                       " is already in use by pid " + std::to_string(::getpid())),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.out.find("openai: FAILED — cannot start the openai server: port"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("ollama: measured"), std::string::npos) << r.out;
  EXPECT_TRUE(
      std::filesystem::exists(dir / "results" / "ollama" / "ollama_gpt-oss-20b_results.json"));
  for (const auto& [fw, pid] : started_pids(r.err))
    EXPECT_FALSE(testsupport::process_alive(pid)) << fw;
  for (const int port : ports) EXPECT_TRUE(port_free(port)) << port;
  EXPECT_FALSE(testsupport::process_alive(sim_pid));
}

TEST(Suite, CtrlCStopsTheServerSaysHowToResumeAndResumeSkipsFinishedCells) {
  const TempDir dir;
  const int vllm_port = testsupport::free_port(), sglang_port = testsupport::free_port();
  // Fixed timing, ~0.3 s a request: the vllm run lasts ~12 s, long enough to interrupt it.
  const Fw slow = sim_fw("vllm", vllm_port, "vllm", {"--ttft-ms", "5", "--itl-ms", "1"});
  const Fw fast = sim_fw("sglang", sglang_port, "sglang");
  write_presets(dir, {slow, fast});
  const auto args = suite_args("vllm,sglang", dir, {"--no-preflight", "--grace-period", "1"});
  const auto log = dir / "results" / "vllm" / "vllm_gpt-oss-20b_requests.jsonl";
  long vllm_pid = 0;
  {
    Child suite(args, test_env(dir));
    ASSERT_TRUE(wait_for(log, "\"type\":\"cell_end\"", 1)) << read_text(log);
    suite.signal(SIGINT);
    const ProcessResult r = suite.wait(60);
    EXPECT_EQ(r.exit_code, exit_code::kInterrupted) << r.out << r.err;
    EXPECT_NE(r.out.find("stopped the vllm server"), std::string::npos) << r.out;
    EXPECT_NE(r.err.find("To continue where it stopped:"), std::string::npos) << r.err;
    // The exact command, with --resume.
    EXPECT_NE(r.err.find(" suite vllm,sglang single gpt-oss-20b --presets "), std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("--grace-period 1 --resume\n"), std::string::npos) << r.err;
    EXPECT_EQ(r.out.find("=== sglang"), std::string::npos) << r.out;  // never started
    const auto pids = started_pids(r.err);
    ASSERT_EQ(pids.count("vllm"), 1u) << r.err;
    vllm_pid = pids.at("vllm");
    EXPECT_FALSE(testsupport::process_alive(vllm_pid));
    EXPECT_TRUE(port_free(vllm_port));
  }
  const RawLog interrupted = read_raw_log(log);
  ASSERT_GE(interrupted.segments.size(), 1u);
  ASSERT_TRUE(interrupted.segments[0].cell_end.has_value());
  const std::string finished_key = interrupted.segments[0].key();

  // Resume, with faster simulators (the server's speed is no part of a cell's identity).
  write_presets(dir, {sim_fw("vllm", vllm_port, "vllm"), fast});
  auto resume = args;
  resume.push_back("--resume");
  const ProcessResult r = testsupport::run_process(resume, 180, test_env(dir));
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.out << r.err;
  EXPECT_NE(r.out.find("skipped: already measured with the same parameters (--resume)"),
            std::string::npos)
      << r.out;
  const RawLog after = read_raw_log(log);
  int measured_again = 0;
  for (const auto& segment : after.segments) measured_again += segment.key() == finished_key;
  EXPECT_EQ(measured_again, 1);  // the finished cell was not measured a second time
  expect_runbook_results(results_file(dir, "vllm"));
  expect_runbook_results(results_file(dir, "sglang"));
}

TEST(Suite, ASecondCtrlCKillsAServerThatIgnoresSigtermAtOnce) {
  const TempDir dir;
  const int port = testsupport::free_port();
  // The server's shell ignores SIGTERM and outlives the simulator it started: only SIGKILL ends
  // its group, and the preset gives it 60 s of grace first.
  const auto stubborn = testsupport::write_script(
      dir / "stubborn.sh", std::string("trap '' TERM\n\"") + SERVEMETER_BINARY +
                               "\" sim --profile vllm --port \"$1\" --model \"$2\" --ttft-ms 5 "
                               "--itl-ms 1 &\nwhile :; do sleep 0.1; done\n");
  Fw fw = command_fw("vllm", port, {stubborn.string(), "{port}", "{model}"});
  fw.stop_grace_s = 60;
  write_presets(dir, {fw});
  const auto log = dir / "results" / "vllm" / "vllm_gpt-oss-20b_requests.jsonl";
  Child suite(suite_args("vllm", dir, {"--no-preflight", "--grace-period", "1"}), test_env(dir));
  ASSERT_TRUE(wait_for(log, "\"type\":\"cell_end\"", 1)) << read_text(log);
  const auto first = std::chrono::steady_clock::now();
  suite.signal(SIGINT);
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // now stopping: SIGTERM sent
  suite.signal(SIGINT);
  const ProcessResult r = suite.wait(90);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - first).count();
  EXPECT_EQ(r.exit_code, exit_code::kInterrupted) << r.out << r.err;
  EXPECT_LT(seconds, 30) << "the second Ctrl-C waited for the 60 s grace period";
  EXPECT_NE(r.out.find("killed with SIGKILL"), std::string::npos) << r.out;
  const auto pids = started_pids(r.err);
  ASSERT_EQ(pids.count("vllm"), 1u) << r.err;
  EXPECT_TRUE(testsupport::eventually([&] { return !testsupport::process_alive(pids.at("vllm")); },
                                      std::chrono::seconds(5)));
  EXPECT_TRUE(testsupport::eventually([&] { return port_free(port); }, std::chrono::seconds(5)));
}

}  // namespace
}  // namespace servemeter::e2e
