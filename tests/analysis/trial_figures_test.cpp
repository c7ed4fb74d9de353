#include "analysis/trial_figures.h"

#include <gtest/gtest.h>

#include "analysis/figures_json.h"
#include "analysis/test_records.h"

namespace servemeter {
namespace {

using testing::timed_request;

TrialFigures summarize(const std::vector<RequestRecord>& records, bool open_loop = false,
                       Slo slo = {}) {
  TrialAccumulator acc(open_loop, 1.0, slo);
  for (const auto& r : records) acc.add(r);
  return acc.finish();
}

TEST(TrialFigures, WarmupExcludedFromEveryFigure) {
  std::vector<RequestRecord> records{timed_request(0, 1000, 5), timed_request(1000, 20, 11),
                                     timed_request(1000, 40, 11)};
  records[0].warmup = true;
  const auto s = summarize(records);
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

TEST(TrialFigures, FailuresCountedByKindAndStatusAndExcludedFromLatency) {
  std::vector<RequestRecord> records{timed_request(0, 20, 11), timed_request(0, 1, 2),
                                     timed_request(0, 1, 2)};
  records[1].error = ErrorKind::server_error;
  records[1].http_status = 503;
  records[1].retry_after_s = 7;
  records[2].error = ErrorKind::rate_limited;
  records[2].http_status = 429;
  const auto s = summarize(records);
  EXPECT_NEAR(*s.success_rate, 100.0 / 3, 1e-9);
  EXPECT_EQ(s.errors_by_kind.at("server_error"), 1u);
  EXPECT_EQ(s.errors_by_kind.at("rate_limited"), 1u);
  EXPECT_EQ(s.http_statuses.at(503), 1u);
  EXPECT_EQ(*s.max_retry_after_s, 7);
  EXPECT_EQ(s.ttft_ms->count, 1u);
}

TEST(TrialFigures, CancelledRequestsAreNeitherSuccessNorFailure) {
  std::vector<RequestRecord> records{timed_request(0, 20, 11), timed_request(0, 20, 11)};
  records[1].error = ErrorKind::cancelled;
  const auto s = summarize(records);
  EXPECT_EQ(s.measured, 1u);
  EXPECT_EQ(s.cancelled, 1u);
  EXPECT_DOUBLE_EQ(*s.success_rate, 100);
}

TEST(TrialFigures, UnknownInputCountMakesTotalThroughputNull) {
  const auto s = summarize({timed_request(0, 20, 11, -1)});
  EXPECT_TRUE(s.output_throughput_tok_s);
  EXPECT_FALSE(s.total_throughput_tok_s);
  const auto j = figures_json(s, false);
  EXPECT_TRUE(j["total_throughput_tok_s"].is_null());
  EXPECT_EQ(j["null_reasons"]["total_throughput_tok_s"],
            "the server did not report input token counts");
}

TEST(TrialFigures, NothingMeasuredIsNullWithReasonNeverZero) {
  std::vector<RequestRecord> records{timed_request(0, 20, 11)};
  records[0].error = ErrorKind::connect;
  const auto j = figures_json(summarize(records), false);
  EXPECT_TRUE(j["avg_ttft_ms"].is_null());
  EXPECT_TRUE(j["request_throughput"].is_null());
  EXPECT_TRUE(j["null_reasons"].contains("avg_ttft_ms"));
  EXPECT_DOUBLE_EQ(j["success_rate"].get<double>(), 0);
}

TEST(TrialFigures, OpenLoopHeadlineCountsFromTheIntendedSendTime) {
  // Sent 300 ms after it was due (held back by a client cap): the wait is in the headline.
  RequestRecord r = timed_request(0, 20, 11);
  r.intended_send_ns = r.send_ns - 300'000'000;
  const auto s = summarize({r}, true);
  EXPECT_DOUBLE_EQ(s.ttft_ms->mean, 320);
  EXPECT_DOUBLE_EQ(s.service_ttft_ms->mean, 20);
  EXPECT_DOUBLE_EQ(s.send_lag_ms->mean, 300);
  EXPECT_DOUBLE_EQ(s.e2el_ms->mean, 420);
  EXPECT_DOUBLE_EQ(s.service_e2el_ms->mean, 120);
}

TEST(TrialFigures, GoodputCountsRequestsMeetingEverySloInclusive) {
  // TTFTs 20, 40, 60 ms; TPOT 10 ms each. SLO ttft ≤ 40 (inclusive), tpot ≤ 10.
  const auto s =
      summarize({timed_request(0, 20, 11), timed_request(0, 40, 11), timed_request(0, 60, 11)},
                false, Slo{40.0, 10.0, std::nullopt});
  ASSERT_TRUE(s.goodput_fraction);
  EXPECT_NEAR(*s.goodput_fraction, 2.0 / 3, 1e-12);
  EXPECT_NEAR(*s.goodput, 2 / s.duration_s, 1e-9);
}

TEST(TrialFigures, EqualWorkFlagsEarlyStopsAndShortInputs) {
  RequestRecord early = timed_request(0, 20, 5, 90);
  early.requested_output_tokens = 11;
  early.requested_input_tokens = 100;
  RequestRecord full = timed_request(0, 20, 11, 100);
  full.requested_output_tokens = 11;
  full.requested_input_tokens = 100;
  const auto s = summarize({early, full});
  EXPECT_EQ(s.stopped_early, 1u);
  EXPECT_EQ(s.input_below_target, 1u);
  EXPECT_DOUBLE_EQ(*s.mean_output_tokens, 8);
  EXPECT_DOUBLE_EQ(*s.target_output_tokens, 11);
}

TEST(TrialFigures, TimeScaleReportsModelTime) {
  TrialAccumulator acc(false, 10.0);
  acc.add(timed_request(0, 20, 11));
  const auto s = acc.finish();
  EXPECT_DOUBLE_EQ(s.ttft_ms->mean, 200);
  EXPECT_DOUBLE_EQ(s.itl_ms->mean, 100);
  EXPECT_NEAR(s.duration_s, 1.2, 1e-9);
}

TEST(TrialFigures, TotalTokenThroughputKeepsRunbookMeaning) {
  const auto j = figures_json(summarize({timed_request(0, 20, 11, 1000)}), false);
  EXPECT_EQ(j["total_token_throughput"], j["output_throughput_tok_s"]);
  EXPECT_GT(j["total_throughput_tok_s"].get<double>(), j["total_token_throughput"].get<double>());
}

// A cell's trials are finished together: each trial as if alone, and the pool as one
// accumulator given every request of every trial.
TEST(TrialFigures, TrialsFinishedTogetherMatchEachAloneAndThePoolAllInOne) {
  std::vector<TrialAccumulator> trials;
  TrialAccumulator everything(false, 2.0);
  for (int t = 0; t < 4; ++t) {
    trials.emplace_back(false, 2.0);
    for (int i = 0; i < 30; ++i) {
      RequestRecord r = timed_request(t * 1000 + i * 7, 15 + (i * 37 + t * 11) % 40, 3 + i % 20);
      // Uneven gaps, so the percentiles of each trial and of the pool differ.
      for (std::size_t k = 1; k < r.token_event_ns.size(); ++k)
        r.token_event_ns[k] = r.token_event_ns[k - 1] + 1'000'000 * (1 + (k * k + i + t) % 23);
      r.end_ns = r.token_event_ns.back();
      if (i % 9 == 4) r.error = ErrorKind::timeout;
      trials.back().add(r);
      everything.add(r);
    }
  }
  std::vector<const TrialAccumulator*> pointers;
  for (const auto& t : trials) pointers.push_back(&t);
  TrialFigures pooled;
  const auto each = TrialAccumulator::finish_each(pointers, &pooled);
  ASSERT_EQ(each.size(), trials.size());
  for (std::size_t i = 0; i < trials.size(); ++i)
    EXPECT_EQ(figures_json(each[i], false), figures_json(trials[i].finish(), false));
  const TrialFigures all = everything.finish();
  ASSERT_TRUE(pooled.itl_ms && all.itl_ms);
  EXPECT_EQ(pooled.itl_ms->p50, all.itl_ms->p50);
  EXPECT_EQ(pooled.itl_ms->p99, all.itl_ms->p99);
  EXPECT_EQ(pooled.itl_ms->count, all.itl_ms->count);
  EXPECT_DOUBLE_EQ(pooled.itl_ms->mean, all.itl_ms->mean);
  EXPECT_DOUBLE_EQ(pooled.itl_ms->std, all.itl_ms->std);
  EXPECT_EQ(pooled.ttft_ms->p90, all.ttft_ms->p90);
  EXPECT_EQ(pooled.succeeded, all.succeeded);
  EXPECT_EQ(pooled.errors_by_kind, all.errors_by_kind);
  EXPECT_EQ(pooled.output_tokens, all.output_tokens);
  EXPECT_DOUBLE_EQ(*pooled.output_throughput_tok_s, *all.output_throughput_tok_s);
  EXPECT_TRUE(pooled.percentiles_exact);
}

}  // namespace
}  // namespace servemeter
