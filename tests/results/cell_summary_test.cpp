#include "results/cell_summary.h"

#include <gtest/gtest.h>

#include "results/results_json.h"

namespace servemeter {
namespace {

// A request sent at `send_ms` with TTFT `ttft_ms`, `tokens` output tokens one per 10 ms.
RequestRecord request(double send_ms, double ttft, int tokens, std::int64_t input = 100) {
  RequestRecord r;
  // Monotonic times are never 0 (0 means "did not happen"), so start at 1 s.
  r.send_ns = r.intended_send_ns = static_cast<std::int64_t>((1000 + send_ms) * 1e6);
  r.first_token_ns = r.send_ns + static_cast<std::int64_t>(ttft * 1e6);
  r.first_content_ns = r.first_token_ns;
  for (int i = 0; i < tokens; ++i) r.token_event_ns.push_back(r.first_token_ns + i * 10'000'000);
  r.end_ns = r.token_event_ns.back();
  r.output_tokens = tokens;
  r.output_tokens_source = TokenCountSource::server;
  r.input_tokens = input;
  return r;
}

TEST(CellSummary, WarmupExcludedFromEveryFigure) {
  std::vector<RequestRecord> records{request(0, 1000, 5), request(1000, 20, 11),
                                     request(1000, 40, 11)};
  records[0].warmup = true;
  const auto s = summarize_cell(records, false);
  EXPECT_EQ(s.measured, 2u);
  EXPECT_EQ(s.succeeded, 2u);
  ASSERT_TRUE(s.ttft_ms);
  EXPECT_DOUBLE_EQ(s.ttft_ms->mean, 30);
  EXPECT_DOUBLE_EQ(s.ttft_ms->max, 40);
  // duration: first measured send (1000 ms) to last end (1000 + 40 + 100 ms)
  EXPECT_NEAR(s.duration_s, 0.140, 1e-9);
  EXPECT_NEAR(*s.output_throughput_tok_s, 22 / 0.140, 1e-6);
  EXPECT_NEAR(*s.total_throughput_tok_s, 222 / 0.140, 1e-6);
  EXPECT_NEAR(*s.request_throughput, 2 / 0.140, 1e-9);
  EXPECT_DOUBLE_EQ(s.tpot_ms->p50, 10);
  EXPECT_DOUBLE_EQ(s.itl_ms->mean, 10);
  EXPECT_EQ(s.itl_ms->count, 20u);
}

TEST(CellSummary, FailuresCountedByKindAndExcludedFromLatency) {
  std::vector<RequestRecord> records{request(0, 20, 11), request(0, 1, 2)};
  records[1].error = ErrorKind::http_status;
  records[1].http_status = 503;
  const auto s = summarize_cell(records, false);
  EXPECT_DOUBLE_EQ(*s.success_rate, 50);
  EXPECT_EQ(s.errors_by_kind.at("http_status"), 1u);
  EXPECT_EQ(s.ttft_ms->count, 1u);
}

TEST(CellSummary, UnknownInputCountMakesTotalThroughputNull) {
  std::vector<RequestRecord> records{request(0, 20, 11, -1)};
  const auto s = summarize_cell(records, false);
  EXPECT_TRUE(s.output_throughput_tok_s);
  EXPECT_FALSE(s.total_throughput_tok_s);
  const auto j = cell_figures_json(s);
  EXPECT_TRUE(j["total_throughput_tok_s"].is_null());
  EXPECT_EQ(j["null_reasons"]["total_throughput_tok_s"],
            "the server did not report input token counts");
}

TEST(ResultsJson, NothingMeasuredIsNullWithReasonNeverZero) {
  std::vector<RequestRecord> records{request(0, 20, 11)};
  records[0].error = ErrorKind::connect;
  const auto j = cell_figures_json(summarize_cell(records, false));
  EXPECT_TRUE(j["avg_ttft_ms"].is_null());
  EXPECT_TRUE(j["request_throughput"].is_null());
  EXPECT_TRUE(j["gpu_memory_mb"].is_null());
  EXPECT_TRUE(j["null_reasons"].contains("avg_ttft_ms"));
  EXPECT_TRUE(j["null_reasons"].contains("gpu_utilization_pct"));
  EXPECT_DOUBLE_EQ(j["success_rate"].get<double>(), 0);
}

TEST(ResultsJson, TrialsGiveMeanSampleStdAndInterval) {
  RunDocument run;
  run.meta.framework = "vllm";
  CellRun cell;
  cell.scenario = "custom";
  cell.trials = {{request(0, 10, 11)}, {request(0, 20, 11)}, {request(0, 30, 11)}};
  run.cells.push_back(cell);
  const auto doc = results_json(run);
  const auto& entry = doc["results"][0];
  EXPECT_DOUBLE_EQ(entry["avg_ttft_ms"].get<double>(), 20);
  EXPECT_DOUBLE_EQ(entry["trial_stats"]["avg_ttft_ms"]["std"].get<double>(), 10);
  EXPECT_NEAR(entry["trial_stats"]["avg_ttft_ms"]["ci95_low"].get<double>(),
              20 - 4.302652729911275 * 10 / std::sqrt(3.0), 1e-6);
  EXPECT_EQ(entry["num_trials"], 3);
  EXPECT_EQ(entry["num_requests"], 3);
  EXPECT_EQ(entry["trials"].size(), 3u);
}

TEST(ResultsJson, TotalTokenThroughputKeepsRunbookMeaning) {
  std::vector<RequestRecord> records{request(0, 20, 11, 1000)};
  const auto j = cell_figures_json(summarize_cell(records, false));
  EXPECT_EQ(j["total_token_throughput"], j["output_throughput_tok_s"]);
  EXPECT_GT(j["total_throughput_tok_s"].get<double>(), j["total_token_throughput"].get<double>());
}

}  // namespace
}  // namespace servemeter
