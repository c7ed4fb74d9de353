// `servemeter run` as a user runs it, against the simulator's injected faults and against a
// simulator that dies mid-cell (and one that comes back): every request sent is accounted for in
// the raw log and in the results, the results say how many failed and why, and the exit code says
// how the run ended.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
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

sim::SimOptions fixed_timing(double ttft_ms, double itl_ms) {
  sim::SimOptions o;
  o.ttft_ms = ttft_ms;
  o.itl_ms = itl_ms;
  return o;
}

std::string url_of(const sim::SimServer& server) {
  return "http://127.0.0.1:" + std::to_string(server.port());
}

std::vector<std::string> run_args(const std::string& base_url, const TempDir& dir,
                                  const std::vector<std::string>& extra) {
  std::vector<std::string> args{
      SERVEMETER_BINARY, "run",        "--framework",   "vllm",           "--model",
      "llama3.1-8b",     "--base-url", base_url,        "--input-tokens", "32",
      "--output-tokens", "8",          "--no-progress", "--results-dir",  dir.string()};
  if (std::find(extra.begin(), extra.end(), "--warmup") == extra.end())
    args.insert(args.end(), {"--warmup", "0"});
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

struct Outputs {
  ProcessResult process;
  nlohmann::json results;
  RawLog log;
  const nlohmann::json& entry() const { return results["results"][0]; }
  const LogSegment& segment() const { return log.segments.back(); }
};

Outputs collect(ProcessResult process, const TempDir& dir) {
  Outputs o;
  o.process = std::move(process);
  const auto base = dir / "vllm" / "vllm_llama3.1-8b";
  o.results = read_json(base.string() + "_results.json");
  o.log = read_raw_log(base.string() + "_requests.jsonl");
  EXPECT_EQ(o.log.bad_lines, 0);
  EXPECT_FALSE(o.log.unfinished_tail);
  EXPECT_EQ(o.log.segments.size(), 1u);
  return o;
}

Outputs run_against(const sim::SimOptions& options, const std::vector<std::string>& extra) {
  auto server = sim::SimServer::start(options);
  const TempDir dir;
  auto process = testsupport::run_process(run_args(url_of(*server), dir, extra));
  server->stop();
  auto out = collect(std::move(process), dir);
  if (!out.log.segments.empty() && out.results["results"].size() == 1)
    expect_accounted(out.segment(), out.entry());
  return out;
}

int kind(const Outputs& o, const std::string& name) {
  return o.entry()["errors_total"].value(name, 0);
}

// --- Injected faults -------------------------------------------------------------------------

TEST(RunFaults, StatusBurstsAreCountedAndTheRunGoesOn) {
  for (const int status : {429, 500, 503}) {
    SCOPED_TRACE("HTTP " + std::to_string(status));
    auto o = fixed_timing(2, 1);
    o.fault_status = status;
    o.fault_rate = 0.4;
    const auto out = run_against(o, {"--num-requests", "40", "--concurrency", "4"});
    EXPECT_EQ(out.process.exit_code, exit_code::kOk) << out.process.err;
    const auto& e = out.entry();
    EXPECT_EQ(e["measured_requests_total"], 40);
    const int failed = 40 - e["successful_requests_total"].get<int>();
    EXPECT_GT(failed, 4);
    EXPECT_LT(failed, 36);
    // Each failure carries the status the server sent.
    EXPECT_EQ(e["error_http_statuses_total"].value(std::to_string(status), 0), failed);
    EXPECT_EQ(out.entry()["complete"], true);
    EXPECT_NE(out.process.out.find("success="), std::string::npos) << out.process.out;
  }
}

// 429 → rate_limited, 5xx → server_error, never the catch-all http_status; Retry-After kept.
TEST(RunFaults, StatusBurstsHaveTheirOwnErrorKinds) {
  for (const auto& [status, name] : std::vector<std::pair<int, std::string>>{
           {429, "rate_limited"}, {500, "server_error"}, {503, "server_error"}}) {
    SCOPED_TRACE("HTTP " + std::to_string(status));
    auto o = fixed_timing(2, 1);
    o.fault_status = status;
    o.fault_rate = 0.5;
    o.retry_after_s = 2;
    const auto out = run_against(o, {"--num-requests", "20", "--concurrency", "2"});
    EXPECT_GT(kind(out, name), 0) << out.entry()["errors_total"];
    EXPECT_EQ(kind(out, "http_status"), 0) << out.entry()["errors_total"];
    // The server's Retry-After is kept with each answer that had it, and the results show it.
    for (const auto& r : out.segment().requests) {
      if (r["http_status"] == status) {
        EXPECT_EQ(r["retry_after_s"], 2.0) << r;
      }
    }
    EXPECT_EQ(out.entry()["max_retry_after_s"], 2.0);
  }
}

TEST(RunFaults, EveryRequestRefusedExitsFiveWithEachFailureRecorded) {
  auto o = fixed_timing(2, 1);
  o.fault_status = 503;
  o.fault_rate = 1.0;
  const auto out = run_against(o, {"--num-requests", "12", "--concurrency", "3"});
  EXPECT_EQ(out.process.exit_code, exit_code::kAllRequestsFailed) << out.process.err;
  EXPECT_NE(out.process.err.find("succeeded"), std::string::npos) << out.process.err;
  EXPECT_EQ(out.entry()["measured_requests_total"], 12);
  EXPECT_EQ(out.entry()["successful_requests_total"], 0);
  EXPECT_EQ(out.entry()["success_rate"], 0.0);
  EXPECT_TRUE(out.entry()["avg_ttft_ms"].is_null());
  EXPECT_EQ(out.entry()["error_http_statuses_total"].value("503", 0), 12);
  for (const auto& r : out.segment().requests)
    EXPECT_FALSE(r.value("error_message", std::string()).empty()) << r;
}

TEST(RunFaults, StallLongerThanTheTimeoutIsATimeoutWithTheTokensBefore) {
  auto o = fixed_timing(5, 2);
  o.stall_ms = 20'000;
  o.stall_after = 2;
  const auto out = run_against(o, {"--num-requests", "4", "--concurrency", "4", "--request-timeout",
                                   "1", "--stall-timeout", "1"});
  EXPECT_EQ(out.process.exit_code, exit_code::kAllRequestsFailed) << out.process.err;
  EXPECT_EQ(kind(out, "timeout"), 4) << out.entry()["errors_total"];
  for (const auto& r : out.segment().requests) {
    EXPECT_EQ(r["error"], "timeout") << r;
    EXPECT_GT(r["first_token_ns"].get<std::int64_t>(), 0) << r;  // it had begun
  }
  // Ended by the timeout, long before the stall would have: the run did not wait 20 s.
  EXPECT_LT(out.process.wall_s, 18.0);
}

TEST(RunFaults, DisconnectMidStreamIsTruncated) {
  auto o = fixed_timing(2, 1);
  o.disconnect_after = 3;
  const auto out = run_against(o, {"--num-requests", "6", "--concurrency", "2"});
  EXPECT_EQ(out.process.exit_code, exit_code::kAllRequestsFailed) << out.process.err;
  EXPECT_EQ(kind(out, "truncated"), 6) << out.entry()["errors_total"];
  for (const auto& r : out.segment().requests) EXPECT_GT(r["bytes_received"], 0) << r;
}

TEST(RunFaults, MalformedEventsAreBadPayloadBesideSuccesses) {
  auto o = fixed_timing(2, 1);
  o.malformed_rate = 0.5;
  const auto out = run_against(o, {"--num-requests", "30", "--concurrency", "3"});
  EXPECT_EQ(out.process.exit_code, exit_code::kOk) << out.process.err;
  EXPECT_GT(kind(out, "bad_payload"), 3) << out.entry()["errors_total"];
  EXPECT_GT(out.entry()["successful_requests_total"].get<int>(), 3);
  EXPECT_LT(out.entry()["success_rate"].get<double>(), 100.0);
}

TEST(RunFaults, WarmupRequestsAreLoggedButNotCounted) {
  auto o = fixed_timing(2, 1);
  o.fault_status = 500;
  o.fault_rate = 0.3;
  const auto out = run_against(
      o, {"--num-requests", "20", "--warmup", "5", "--concurrency", "2", "--trials", "2"});
  EXPECT_EQ(out.process.exit_code, exit_code::kOk) << out.process.err;
  EXPECT_EQ(out.segment().requests.size(), 50u);  // 2 × (5 + 20)
  EXPECT_EQ(out.entry()["measured_requests_total"], 40);
}

// --- A server that goes away -----------------------------------------------------------------

// Polls the raw log until its cell line is there: from then on the run is sending.
bool wait_for_cell_line(const TempDir& dir, double timeout_s = 60) {
  const auto path = dir / "vllm" / "vllm_llama3.1-8b_requests.jsonl";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  while (std::chrono::steady_clock::now() < deadline) {
    if (read_text(path).find("\"type\":\"cell\"") != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

// Runs `servemeter run` against a simulator that is killed `kill_after_s` after the cell
// started and, with `back_after_s`, started again on the same port that much later.
Outputs run_through_outage(const sim::SimOptions& options, const std::vector<std::string>& extra,
                           double kill_after_s, std::optional<double> back_after_s) {
  auto server = sim::SimServer::start(options);
  const std::uint16_t port = server->port();
  const TempDir dir;
  Child run(run_args(url_of(*server), dir, extra));
  EXPECT_TRUE(wait_for_cell_line(dir));
  std::this_thread::sleep_for(std::chrono::duration<double>(kill_after_s));
  server.reset();  // stops serving and closes every connection, as a crash does
  if (back_after_s) {
    std::this_thread::sleep_for(std::chrono::duration<double>(*back_after_s));
    auto again = options;
    again.port = port;
    server = sim::SimServer::start(again);
  }
  auto process = run.wait(120);
  server.reset();
  auto out = collect(std::move(process), dir);
  if (!out.log.segments.empty() && out.results["results"].size() == 1)
    expect_accounted(out.segment(), out.entry());
  return out;
}

TEST(RunFaults, ServerDyingMidCellEndsTheCellAsGoneWithExitNine) {
  // 400 requests of ~60 ms at concurrency 4: six seconds of work at least, killed after one.
  const auto out = run_through_outage(
      fixed_timing(20, 5), {"--num-requests", "400", "--concurrency", "4"}, 1.0, std::nullopt);
  EXPECT_EQ(out.process.exit_code, exit_code::kServerWentAway) << out.process.err;
  EXPECT_NE(out.process.err.find("stopped accepting connections"), std::string::npos)
      << out.process.err;
  EXPECT_NE(out.process.err.find("--resume"), std::string::npos) << out.process.err;
  const auto& e = out.entry();
  EXPECT_EQ(e["complete"], false);
  EXPECT_EQ(e["stop_reason"], "server_gone");
  EXPECT_GT(e["successful_requests_total"].get<int>(), 0);
  EXPECT_LT(e["measured_requests_total"].get<int>(), 400);  // it stopped sending
  EXPECT_GE(kind(out, "connect"), 10);
  const auto& trial_end = out.segment().trial_ends.at(0);
  EXPECT_EQ(trial_end["stop_reason"], "server_gone");
  EXPECT_NE(trial_end.value("stop_detail", std::string()).find("connection failures in a row"),
            std::string::npos)
      << trial_end;
  EXPECT_EQ(out.segment().cell_end.value()["complete"], false);
}

// The server_gone rule: 10 connection failures in a row, and at least the concurrency.
TEST(RunFaults, TheGoneRuleCountsTenFailuresInARowAtConcurrencyOne) {
  const auto out = run_through_outage(
      fixed_timing(20, 5), {"--num-requests", "400", "--concurrency", "1"}, 0.5, std::nullopt);
  EXPECT_EQ(out.process.exit_code, exit_code::kServerWentAway) << out.process.err;
  // One request at a time: the one in flight when the server died is cut (truncated, or a
  // stale connection's connect failure), then exactly ten refused connections end the cell.
  EXPECT_GE(kind(out, "connect"), 10);
  EXPECT_LE(kind(out, "connect"), 11);
  // Nothing after the tenth failure in a row.
  const auto& requests = out.segment().requests;
  for (std::size_t i = requests.size() - 10; i < requests.size(); ++i)
    EXPECT_EQ(requests[i]["error"], "connect") << requests[i];
}

TEST(RunFaults, TheGoneRuleWaitsForAtLeastTheConcurrency) {
  // Open loop at 10 requests/s, up to 40 in flight: the rule needs 40 failures in a row. A
  // 2 s outage makes about 20 (more than ten) and the run goes on.
  const auto out = run_through_outage(fixed_timing(50, 20),
                                      {"--num-requests", "100", "--request-rate", "10",
                                       "--burstiness", "50", "--max-concurrency", "40"},
                                      1.0, 2.0);
  EXPECT_EQ(out.process.exit_code, exit_code::kOk) << out.process.err;
  EXPECT_EQ(out.entry()["complete"], true);
  EXPECT_GT(kind(out, "connect"), 10) << out.entry()["errors_total"];
  EXPECT_LT(kind(out, "connect"), 40) << out.entry()["errors_total"];
  EXPECT_EQ(out.entry()["measured_requests_total"], 100);
}

TEST(RunFaults, AServerThatComesBackSoonIsRecordedAndTheRunGoesOn) {
  // Open loop, 5 requests/s in a near-regular rhythm: a 0.4 s outage meets about two arrivals,
  // far from ten failures in a row.
  const auto out = run_through_outage(
      fixed_timing(50, 20), {"--num-requests", "50", "--request-rate", "5", "--burstiness", "50"},
      1.5, 0.4);
  EXPECT_EQ(out.process.exit_code, exit_code::kOk) << out.process.err;
  const auto& e = out.entry();
  EXPECT_EQ(e["complete"], true);
  EXPECT_EQ(e["stop_reason"], "none");
  EXPECT_EQ(e["measured_requests_total"], 50);  // every planned request was sent
  EXPECT_GE(kind(out, "connect"), 1) << e["errors_total"];
  EXPECT_LT(kind(out, "connect"), 10) << e["errors_total"];
  EXPECT_GT(e["successful_requests_total"].get<int>(), 35);
  EXPECT_LT(e["success_rate"].get<double>(), 100.0);
  // Successes after the failures: the run went on against the new server.
  const auto& requests = out.segment().requests;
  std::size_t last_failure = 0;
  for (std::size_t i = 0; i < requests.size(); ++i)
    if (!requests[i]["error"].is_null()) last_failure = i;
  EXPECT_TRUE(requests.back()["error"].is_null());
  EXPECT_LT(last_failure + 5, requests.size());
}

TEST(RunFaults, AnOutageLongerThanTheGoneRuleEndsTheRunEvenIfTheServerReturns) {
  // The same rhythm, but the server is back only after 4 s: ~20 arrivals fail, ten in a row end
  // the cell first.
  const auto out = run_through_outage(
      fixed_timing(50, 20), {"--num-requests", "100", "--request-rate", "5", "--burstiness", "50"},
      1.0, 4.0);
  EXPECT_EQ(out.process.exit_code, exit_code::kServerWentAway) << out.process.err;
  EXPECT_EQ(out.entry()["stop_reason"], "server_gone");
  EXPECT_GE(kind(out, "connect"), 10);
  EXPECT_LT(out.entry()["measured_requests_total"].get<int>(), 100);
}

}  // namespace
}  // namespace servemeter::e2e
