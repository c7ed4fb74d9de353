// `servemeter run` stopped from outside: SIGKILL in the middle of a cell leaves valid files and
// `--resume` finishes the job without measuring a finished cell twice; SIGINT and SIGTERM stop
// sending, give the requests in flight the grace period, cancel the rest, write the results
// marked interrupted and exit 130 / 143; a second SIGINT stops at once.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "cli/exit_codes.h"
#include "e2e/run_outputs.h"
#include "sim/sim_server.h"
#include "support/run_process.h"
#include "support/temp_dir.h"

namespace servemeter::e2e {
namespace {

using testsupport::Child;
using testsupport::ProcessResult;
using testsupport::TempDir;

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

struct Sim {
  explicit Sim(double ttft_ms, double itl_ms) {
    sim::SimOptions o;
    o.ttft_ms = ttft_ms;
    o.itl_ms = itl_ms;
    server = sim::SimServer::start(o);
    url = "http://127.0.0.1:" + std::to_string(server->port());
  }
  std::unique_ptr<sim::SimServer> server;
  std::string url;
};

std::vector<std::string> run_args(const std::string& url, const TempDir& dir,
                                  const std::vector<std::string>& extra) {
  std::vector<std::string> args{SERVEMETER_BINARY, "run",
                                "--framework",     "vllm",
                                "--model",         "llama3.1-8b",
                                "--base-url",      url,
                                "--input-tokens",  "32",
                                "--warmup",        "0",
                                "--no-progress",   "--results-dir",
                                dir.string()};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

std::filesystem::path log_path(const TempDir& dir) {
  return dir / "vllm" / "vllm_llama3.1-8b_requests.jsonl";
}
std::filesystem::path results_path(const TempDir& dir) {
  return dir / "vllm" / "vllm_llama3.1-8b_results.json";
}

int count_of(const std::string& text, const std::string& what) {
  int n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// Polls the raw log until it holds `n` lines containing `what` (cell and trial_end lines are
// flushed as they are written; request lines are buffered).
bool wait_for_lines(const TempDir& dir, const std::string& what, int n, double timeout_s = 60) {
  const auto deadline = Clock::now() + std::chrono::duration<double>(timeout_s);
  while (Clock::now() < deadline) {
    if (count_of(read_text(log_path(dir)), what) >= n) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

const nlohmann::json* entry_with_label(const nlohmann::json& results, const std::string& label) {
  for (const auto& e : results["results"])
    if (e["cell"] == label) return &e;
  return nullptr;
}

TEST(RunSignals, SigkillMidCellLeavesValidFilesAndResumeFinishesWithoutRemeasuring) {
  const Sim sim(20, 10);
  const TempDir dir;
  // A finished cell from an earlier run: its results must survive the kill untouched.
  const auto first = testsupport::run_process(run_args(
      sim.url, dir, {"--output-tokens", "4", "--num-requests", "6", "--concurrency", "2"}));
  ASSERT_EQ(first.exit_code, exit_code::kOk) << first.err;
  const std::string results_before = read_text(results_path(dir));

  // Three trials of about a second each; SIGKILL once the first has ended.
  const std::vector<std::string> cell{"--output-tokens", "8", "--num-requests", "20",
                                      "--concurrency",   "2", "--trials",       "3"};
  {
    Child run(run_args(sim.url, dir, cell));
    ASSERT_TRUE(wait_for_lines(dir, "\"type\":\"trial_end\"", 2));  // the earlier cell's + one
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    run.signal(SIGKILL);
    EXPECT_EQ(run.wait(30).exit_code, 128 + SIGKILL);
  }

  // The results file is the earlier run's, whole (written atomically, never in place).
  EXPECT_EQ(read_text(results_path(dir)), results_before);
  read_json(results_path(dir));
  // The raw log: whole lines, and at most one unfinished last line, which readers skip.
  const RawLog killed = read_raw_log(log_path(dir));
  EXPECT_EQ(killed.bad_lines, 0);
  ASSERT_EQ(killed.segments.size(), 2u);
  EXPECT_TRUE(killed.segments[0].cell_end.has_value());
  const LogSegment& cut = killed.segments[1];
  EXPECT_FALSE(cut.cell_end.has_value());
  ASSERT_EQ(cut.trial_ends.size(), 1u);
  EXPECT_EQ(cut.trial_ends[0]["sent"], 20);
  EXPECT_GE(cut.requests.size(), 20u);  // trial 1's, and whatever of trial 2 was flushed
  // A kill in the middle of a write leaves part of a line: make sure that case is exercised too.
  if (!killed.unfinished_tail) {
    std::ofstream(log_path(dir), std::ios::app) << R"({"type":"request","scenario":"cus)";
  }

  // --resume: the unfinished cell is measured again, whole; the earlier finished cell is kept.
  const auto resumed = testsupport::run_process(run_args(sim.url, dir, [&] {
    auto args = cell;
    args.push_back("--resume");
    return args;
  }()));
  ASSERT_EQ(resumed.exit_code, exit_code::kOk) << resumed.err;
  EXPECT_EQ(resumed.out.find("skipped"), std::string::npos) << resumed.out;
  const RawLog after = read_raw_log(log_path(dir));
  EXPECT_EQ(after.bad_lines, 0);
  EXPECT_FALSE(after.unfinished_tail);  // cut before appending
  ASSERT_EQ(after.segments.size(), 3u);
  EXPECT_EQ(after.segments[2].key(), cut.key());
  EXPECT_EQ(after.segments[2].trial_ends.size(), 3u);
  EXPECT_EQ(after.segments[2].requests.size(), 60u);
  ASSERT_TRUE(after.segments[2].cell_end.has_value());
  EXPECT_EQ((*after.segments[2].cell_end)["complete"], true);

  const auto results = read_json(results_path(dir));
  ASSERT_EQ(results["results"].size(), 2u);
  const auto* earlier = entry_with_label(results, "in=32,out=4");
  const auto* finished = entry_with_label(results, "in=32,out=8");
  ASSERT_NE(earlier, nullptr);
  ASSERT_NE(finished, nullptr);
  EXPECT_EQ((*earlier)["measured_requests_total"], 6);
  EXPECT_EQ((*finished)["complete"], true);
  EXPECT_EQ((*finished)["num_trials"], 3);
  EXPECT_EQ((*finished)["measured_requests_total"], 60);  // the killed segment is not counted
  expect_accounted(after.segments[2], *finished);

  // Once more: every cell is complete, nothing is measured, and the message says why.
  const auto again = testsupport::run_process(run_args(sim.url, dir, [&] {
    auto args = cell;
    args.push_back("--resume");
    return args;
  }()));
  ASSERT_EQ(again.exit_code, exit_code::kOk) << again.err;
  EXPECT_NE(again.out.find("skipped: already measured with the same parameters (--resume)"),
            std::string::npos)
      << again.out;
  const RawLog unchanged = read_raw_log(log_path(dir));
  EXPECT_EQ(unchanged.segments.size(), 3u);
  EXPECT_EQ(unchanged.request_lines(), after.request_lines());
  EXPECT_EQ(read_json(results_path(dir))["results"].size(), 2u);
}

struct Stopped {
  ProcessResult process;
  double after_signal_s = 0;  // from the (first) signal to the exit
  nlohmann::json entry;
  RawLog log;
};

// Starts a run of long requests, waits until they are in flight, sends `signals` (0.3 s apart)
// and collects everything.
Stopped stop_with(const Sim& sim, const std::vector<std::string>& extra,
                  const std::vector<int>& signals) {
  const TempDir dir;
  Child run(run_args(sim.url, dir, extra));
  EXPECT_TRUE(wait_for_lines(dir, "\"type\":\"cell\"", 1));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const auto signalled = Clock::now();
  for (std::size_t i = 0; i < signals.size(); ++i) {
    if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(300));
    run.signal(signals[i]);
  }
  Stopped s;
  s.process = run.wait(120);
  s.after_signal_s = seconds_since(signalled);
  const auto results = read_json(results_path(dir));
  EXPECT_EQ(results["results"].size(), 1u);
  if (results["results"].size() == 1) s.entry = results["results"][0];
  s.log = read_raw_log(log_path(dir));
  EXPECT_EQ(s.log.bad_lines, 0);
  EXPECT_FALSE(s.log.unfinished_tail);
  EXPECT_EQ(s.log.segments.size(), 1u);
  if (s.log.segments.size() == 1 && !s.entry.is_null())
    expect_accounted(s.log.segments[0], s.entry);
  return s;
}

void expect_interrupted(const Stopped& s) {
  EXPECT_NE(s.process.err.find("stopping"), std::string::npos) << s.process.err;
  EXPECT_NE(s.process.err.find("--resume"), std::string::npos) << s.process.err;
  EXPECT_EQ(s.entry["complete"], false);
  EXPECT_EQ(s.entry["stop_reason"], "interrupted");
  ASSERT_EQ(s.log.segments.size(), 1u);
  const LogSegment& seg = s.log.segments[0];
  ASSERT_EQ(seg.trial_ends.size(), 1u);
  EXPECT_EQ(seg.trial_ends[0]["stop_reason"], "interrupted");
  ASSERT_TRUE(seg.cell_end.has_value());
  EXPECT_EQ((*seg.cell_end)["complete"], false);
}

// None of the ~5 s requests could finish: every one sent (up to the concurrency, 4) was in
// flight at the signal and is cancelled, none counted as measured.
void expect_all_in_flight_cancelled(const Stopped& s) {
  ASSERT_EQ(s.log.segments.size(), 1u);
  const auto& requests = s.log.segments[0].requests;
  EXPECT_GE(requests.size(), 1u);
  EXPECT_LE(requests.size(), 4u);
  for (const auto& r : requests) EXPECT_EQ(r["error"], "cancelled") << r;
  EXPECT_EQ(s.entry["cancelled_requests_total"], requests.size());
  EXPECT_EQ(s.entry["measured_requests_total"], 0);
  EXPECT_EQ(s.log.segments[0].trial_ends.at(0)["cancelled"], requests.size());
}

// Requests of ~5 s (TTFT 200 ms, then 50 tokens 100 ms apart), four in flight.
const std::vector<std::string> kLongRequests{"--output-tokens", "50", "--num-requests", "40",
                                             "--concurrency",   "4"};

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

TEST(RunSignals, SigintCancelsWhatOutlastsTheGracePeriodAndExits130) {
  const Sim sim(200, 100);
  const auto s = stop_with(sim, with(kLongRequests, {"--grace-period", "1"}), {SIGINT});
  EXPECT_EQ(s.process.exit_code, exit_code::kInterrupted) << s.process.err;
  expect_interrupted(s);
  expect_all_in_flight_cancelled(s);
  // Grace 1 s, and a few seconds of slack for a loaded machine: not the 5 s the requests needed
  // plus the 35 queued behind them.
  EXPECT_LT(s.after_signal_s, 1 + 8.0);
}

TEST(RunSignals, SigtermDoesTheSameAndExits143) {
  const Sim sim(200, 100);
  const auto s = stop_with(sim, with(kLongRequests, {"--grace-period", "1"}), {SIGTERM});
  EXPECT_EQ(s.process.exit_code, exit_code::kTerminated) << s.process.err;
  expect_interrupted(s);
  expect_all_in_flight_cancelled(s);
  EXPECT_LT(s.after_signal_s, 1 + 8.0);
}

TEST(RunSignals, RequestsThatFinishWithinTheGracePeriodAreKept) {
  // ~1 s requests (TTFT 50 ms, 20 tokens 50 ms apart), two in flight, a generous grace period.
  const Sim sim(50, 50);
  const auto s = stop_with(sim,
                           {"--output-tokens", "20", "--num-requests", "40", "--concurrency", "2",
                            "--grace-period", "30"},
                           {SIGINT});
  EXPECT_EQ(s.process.exit_code, exit_code::kInterrupted) << s.process.err;
  expect_interrupted(s);
  EXPECT_EQ(s.entry["cancelled_requests_total"], 0);
  EXPECT_GE(s.entry["successful_requests_total"].get<int>(), 2);
  EXPECT_EQ(s.entry["successful_requests_total"], s.entry["measured_requests_total"]);
  EXPECT_LT(s.entry["measured_requests_total"].get<int>(), 40);
  // They finished; the run did not sit out the 30 s.
  EXPECT_LT(s.after_signal_s, 20.0);
}

TEST(RunSignals, ASecondSigintStopsAtOnce) {
  const Sim sim(200, 100);
  const auto s = stop_with(sim, with(kLongRequests, {"--grace-period", "60"}), {SIGINT, SIGINT});
  EXPECT_EQ(s.process.exit_code, exit_code::kInterrupted) << s.process.err;
  expect_interrupted(s);
  EXPECT_NE(s.process.err.find("stopping now"), std::string::npos) << s.process.err;
  expect_all_in_flight_cancelled(s);
  EXPECT_LT(s.after_signal_s, 20.0);  // far from the 60 s grace period
}

}  // namespace
}  // namespace servemeter::e2e
