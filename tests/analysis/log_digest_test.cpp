// A raw log read back into results: newest complete measurement per cell, trial merge that
// agrees with itself, the runbook's keys in the runbook's places.
#include "analysis/log_digest.h"

#include <gtest/gtest.h>

#include <fstream>

#include "analysis/figures_json.h"
#include "analysis/results_document.h"
#include "analysis/test_records.h"
#include "results/request_log.h"
#include "support/temp_dir.h"

namespace servemeter {
namespace {

using testing::timed_request;

CellInfo cell(const std::string& key, const std::string& scenario, int trials = 1) {
  CellInfo c;
  c.run_id = "run";
  c.cell_key = key;
  c.scenario = scenario;
  c.cell = "in=100,out=11";
  c.params = {
      {"concurrency", 2}, {"input_tokens", 100}, {"output_tokens", 11}, {"num_requests", 2}};
  c.trials = trials;
  return c;
}

void trial(RequestLogWriter& log, const std::string& key, int number, double ttft) {
  for (int i = 0; i < 2; ++i) {
    RequestRecord r = timed_request(i * 50.0, ttft, 11);
    r.id = static_cast<std::uint64_t>(number * 10 + i + 1);
    r.trial = number;
    r.cell = "in=100,out=11";
    log.on_record(r);
  }
  TrialEnd end;
  end.cell_key = key;
  end.trial = number;
  end.telemetry = {{"gpu_memory_mb", 1000.0 + number}, {"gpu_utilization_pct", 50.0}};
  log.end_trial(end);
}

std::filesystem::path write_log(const testsupport::TempDir& dir) {
  const auto path = dir / "log.jsonl";
  RequestLogWriter log(path);
  RunInfo run;
  run.run_id = "run";
  run.framework = "sglang";
  run.model_preset = "gpt-oss-20b";
  run.model = "openai/gpt-oss-20b";
  run.base_url = "http://127.0.0.1:30000";
  run.chat_endpoint = "/v1/chat/completions";
  run.timestamp = "2026-12-01 10:00:00";
  log.write_run(run);
  // Cell A: three trials, complete.
  log.begin_cell(cell("A", "single_request", 3));
  trial(log, "A", 0, 10);
  trial(log, "A", 1, 20);
  trial(log, "A", 2, 30);
  log.end_cell({"A", true, "none"});
  // Cell B: measured once, then measured again and interrupted.
  log.begin_cell(cell("B", "concurrent_load"));
  trial(log, "B", 0, 40);
  log.end_cell({"B", true, "none"});
  log.begin_cell(cell("B", "concurrent_load"));
  trial(log, "B", 0, 99);
  log.end_cell({"B", false, "interrupted"});
  // Cell C: the run was killed during it (no trial_end, no cell_end).
  log.begin_cell(cell("C", "long_context"));
  RequestRecord r = timed_request(0, 5, 11);
  r.id = 99;
  log.on_record(r);
  return path;
}

TEST(LogDigest, KeepsTheNewestCompleteMeasurementOfEachCell) {
  const testsupport::TempDir dir;
  const FrameworkLog log = digest_log(write_log(dir));
  ASSERT_EQ(log.cells.size(), 3u);
  EXPECT_EQ(log.cells[0].info.cell_key, "A");
  EXPECT_EQ(log.cells[0].trials.size(), 3u);
  EXPECT_TRUE(log.cells[1].complete);
  EXPECT_DOUBLE_EQ(log.cells[1].trials[0].figures.ttft_ms->mean, 40);  // not the interrupted 99
  EXPECT_FALSE(log.cells[2].complete);
  EXPECT_FALSE(log.cells[2].trials[0].end.has_value());
  bool said = false;
  for (const auto& p : log.problems) said |= p.find("interrupted") != std::string::npos;
  EXPECT_TRUE(said);
}

TEST(ResultsDocument, HasEveryRunbookKeyInItsPlace) {
  const testsupport::TempDir dir;
  const auto doc = results_document(digest_log(write_log(dir)));
  for (const char* key :
       {"framework", "model_preset", "model", "timestamp", "server_config", "gpu_info", "results"})
    EXPECT_TRUE(doc.contains(key)) << key;
  EXPECT_EQ(doc["framework"], "sglang");
  EXPECT_EQ(doc["model"], "openai/gpt-oss-20b");
  EXPECT_EQ(doc["model_preset"], "gpt-oss-20b");
  EXPECT_EQ(doc["timestamp"], "2026-12-01 10:00:00");
  EXPECT_EQ(doc["server_config"]["chat_endpoint"], "/v1/chat/completions");
  EXPECT_EQ(doc["server_config"]["base_url"], "http://127.0.0.1:30000");
  for (const char* key : {"memory_used_mb", "memory_total_mb", "gpu_utilization_pct"})
    EXPECT_TRUE(doc["gpu_info"].contains(key)) << key;
  const auto& entry = doc["results"][0];
  for (const char* key : {"scenario",           "framework",          "concurrency",
                          "input_tokens",       "output_tokens",      "num_requests",
                          "avg_ttft_ms",        "p50_ttft_ms",        "p95_ttft_ms",
                          "p99_ttft_ms",        "avg_latency_ms",     "p50_latency_ms",
                          "p95_latency_ms",     "p99_latency_ms",     "total_token_throughput",
                          "request_throughput", "success_rate",       "total_time_sec",
                          "gpu_memory_mb",      "gpu_utilization_pct"})
    EXPECT_TRUE(entry.contains(key)) << key;
  EXPECT_EQ(entry["scenario"], "single_request");
  EXPECT_EQ(entry["framework"], "sglang");
  EXPECT_EQ(entry["concurrency"], 2);
  EXPECT_EQ(entry["num_requests"], 2);
  EXPECT_DOUBLE_EQ(entry["gpu_memory_mb"].get<double>(), 1001);
}

TEST(ResultsDocument, TrialMergeIsConsistentWithItself) {
  const testsupport::TempDir dir;
  const auto doc = results_document(digest_log(write_log(dir)));
  const auto& a = doc["results"][0];
  EXPECT_EQ(a["num_trials"], 3);
  EXPECT_DOUBLE_EQ(a["avg_ttft_ms"].get<double>(), 20);
  EXPECT_DOUBLE_EQ(a["trial_stats"]["avg_ttft_ms"]["std"].get<double>(), 10);
  EXPECT_NEAR(a["trial_stats"]["avg_ttft_ms"]["ci95_low"].get<double>(),
              20 - 4.302652729911275 * 10 / std::sqrt(3.0), 1e-6);
  // num_requests is one trial's, like total_time_sec: their ratio is the request throughput.
  EXPECT_NEAR(a["num_requests"].get<double>() / a["total_time_sec"].get<double>(),
              a["request_throughput"].get<double>(), 0.02 * a["request_throughput"].get<double>());
  EXPECT_DOUBLE_EQ(a["measured_requests_total"].get<double>(), 6);
  EXPECT_EQ(a["trials"].size(), 3u);
  EXPECT_EQ(a["pooled"]["avg_ttft_ms"], 20.0);
  EXPECT_EQ(doc["results"][2]["complete"], false);
}

TEST(ResultsDocument, SummaryLineHasTheRunbookShape) {
  const testsupport::TempDir dir;
  const auto doc = results_document(digest_log(write_log(dir)));
  const std::string line = summary_line(doc["results"][0]);
  EXPECT_EQ(line.rfind("[single_request] in=100,out=11 conc=2 | TTFT=20.0ms | throughput=", 0), 0u)
      << line;
  EXPECT_NE(line.find("| success=100.0%"), std::string::npos) << line;
}

TEST(ResultsDocument, NoTelemetryIsNullWithAReason) {
  const testsupport::TempDir dir;
  const auto path = dir / "log.jsonl";
  {
    RequestLogWriter log(path);
    log.begin_cell(cell("X", "custom"));
    RequestRecord r = timed_request(0, 5, 11);
    r.id = 1;
    log.on_record(r);
    TrialEnd end;
    end.cell_key = "X";
    log.end_trial(end);
    log.end_cell({"X", true, "none"});
  }
  const auto doc = results_document(digest_log(path));
  const auto& entry = doc["results"][0];
  EXPECT_TRUE(entry["gpu_memory_mb"].is_null());
  EXPECT_TRUE(entry["null_reasons"].contains("gpu_memory_mb"));
  EXPECT_TRUE(doc["gpu_info"]["memory_used_mb"].is_null());
}

// The accumulators of a finished cell serve the next cells' trials: nothing of a cell (its time
// scale, loop, gaps) may show in the cells after it.
TEST(LogDigest, ACellAfterAnotherIsDigestedAsIfAlone) {
  const testsupport::TempDir dir;
  const auto write = [&](const std::string& name, bool with_first) {
    const auto path = dir / name;
    RequestLogWriter log(path);
    RunInfo run;
    run.run_id = "run";
    run.framework = "vllm";
    log.write_run(run);
    if (with_first) {
      CellInfo first = cell("F", "concurrent_load", 3);
      first.open_loop = true;
      first.time_scale = 10;
      log.begin_cell(first);
      for (int t = 0; t < 3; ++t) {
        for (int i = 0; i < 40; ++i) {
          RequestRecord r = timed_request(i * 3.0, 7 + i % 5, 200);
          for (std::size_t k = 1; k < r.token_event_ns.size(); ++k)  // 3 ms gaps, not 10
            r.token_event_ns[k] = r.token_event_ns[k - 1] + 3'000'000;
          r.end_ns = r.token_event_ns.back();
          r.id = static_cast<std::uint64_t>(1000 + t * 100 + i);
          r.trial = t;
          r.cell = first.cell;
          log.on_record(r);
        }
        TrialEnd end;
        end.cell_key = "F";
        end.trial = t;
        log.end_trial(end);
      }
      log.end_cell({"F", true, "none"});
    }
    log.begin_cell(cell("S", "single_request", 2));
    trial(log, "S", 0, 12);
    trial(log, "S", 1, 17);
    log.end_cell({"S", true, "none"});
    log.flush();
    return path;
  };
  const FrameworkLog after = digest_log(write("after.jsonl", true));
  const FrameworkLog alone = digest_log(write("alone.jsonl", false));
  ASSERT_EQ(after.cells.size(), 2u);
  ASSERT_EQ(alone.cells.size(), 1u);
  const CellDigest& a = after.cells[1];
  const CellDigest& b = alone.cells[0];
  ASSERT_EQ(a.trials.size(), b.trials.size());
  for (std::size_t i = 0; i < a.trials.size(); ++i)
    EXPECT_EQ(figures_json(a.trials[i].figures, false), figures_json(b.trials[i].figures, false));
  EXPECT_EQ(figures_json(a.pooled, false), figures_json(b.pooled, false));
  EXPECT_DOUBLE_EQ(a.pooled.itl_ms->mean, 10);  // closed loop, real time: 10 ms a token
}

}  // namespace
}  // namespace servemeter
