// Prefix-cache and Korean figures from the requests one by one.
#include "analysis/scenario_figures.h"

#include <gtest/gtest.h>

#include "analysis/test_records.h"
#include "results/request_log.h"
#include "support/temp_dir.h"

namespace servemeter {
namespace {

using testing::timed_request;

void cell(RequestLogWriter& log, const std::string& scenario, const std::string& label,
          const std::vector<double>& ttfts, nlohmann::json items = nlohmann::json::array(),
          std::vector<std::int64_t> inputs = {}) {
  CellInfo info;
  info.cell_key = scenario + label;
  info.scenario = scenario;
  info.cell = label;
  info.params = {{"num_requests", ttfts.size()}};
  info.items = std::move(items);
  log.begin_cell(info);
  static std::uint64_t id = 1;
  for (std::size_t i = 0; i < ttfts.size(); ++i) {
    RequestRecord r =
        timed_request(static_cast<double>(i) * 100, ttfts[i], 11, inputs.empty() ? 100 : inputs[i]);
    r.id = id++;
    r.item = static_cast<std::uint32_t>(i);
    r.cell = label;
    r.output_chars = 44;
    log.on_record(r);
  }
  TrialEnd end;
  end.cell_key = info.cell_key;
  end.telemetry = {{"cache_flush", "flushed: POST /flush_cache answered 200"},
                   {"server_metrics", {{"prefix_cache_hit_rate", 0.9}}}};
  log.end_trial(end);
  log.end_cell({info.cell_key, true, "none"});
}

TEST(ScenarioFigures, PrefixCacheFirstRequestFirstFiveRestAndControl) {
  const testsupport::TempDir dir;
  {
    RequestLogWriter log(dir / "log.jsonl");
    std::vector<double> shared(10, 20.0), control(10, 80.0);
    shared[0] = 200;  // the cold first request
    for (int i = 1; i < 5; ++i) shared[i] = 30;
    control[7] = 100;
    cell(log, "prefix_cache", "shared,out=11", shared);
    cell(log, "prefix_cache_control", "unique,out=11", control);
  }
  const FrameworkLog log = digest_log(dir / "log.jsonl");
  const auto f = prefix_cache_figures(log.cells[0]);
  EXPECT_DOUBLE_EQ(f["first_request_ttft_ms"].get<double>(), 200);
  EXPECT_DOUBLE_EQ(f["first_5_avg_ttft_ms"].get<double>(), (200 + 4 * 30) / 5.0);
  EXPECT_DOUBLE_EQ(f["rest_avg_ttft_ms"].get<double>(), 20);
  EXPECT_DOUBLE_EQ(f["cache_speedup"].get<double>(), 10);
  EXPECT_EQ(f["ttft_ms_by_request"].size(), 10u);
  EXPECT_EQ(f["cache_flush"][0], "flushed: POST /flush_cache answered 200");
  const auto c = prefix_cache_comparison(log);
  EXPECT_DOUBLE_EQ(c["warm_avg_ttft_ms"].get<double>(), 20);
  EXPECT_DOUBLE_EQ(c["control_avg_ttft_ms"].get<double>(), 84);
  EXPECT_NEAR(c["warm_to_control_ttft_ratio"].get<double>(), 20.0 / 84, 1e-12);
  EXPECT_LT(c["ratio_ci95"][0].get<double>(), 20.0 / 84);
  EXPECT_GT(c["ratio_ci95"][1].get<double>(), 20.0 / 84);
}

TEST(ScenarioFigures, PrefixComparisonWithoutControlSaysWhy) {
  const testsupport::TempDir dir;
  {
    RequestLogWriter log(dir / "log.jsonl");
    cell(log, "prefix_cache", "shared,out=11", std::vector<double>(8, 20.0));
  }
  const auto c = prefix_cache_comparison(digest_log(dir / "log.jsonl"));
  EXPECT_NE(c["null_reason"].get<std::string>().find("control"), std::string::npos);
}

TEST(ScenarioFigures, KoreanPairsGiveTokenRatiosAndCharacterRates) {
  const testsupport::TempDir dir;
  const nlohmann::json ko_items = {
      {{"id", "p1"}, {"type", "essay"}, {"lang", "ko"}, {"chars", 60}},
      {{"id", "p2"}, {"type", "essay"}, {"lang", "ko"}, {"chars", 30}}};
  const nlohmann::json en_items = {
      {{"id", "p1"}, {"type", "essay"}, {"lang", "en"}, {"chars", 90}},
      {{"id", "p2"}, {"type", "essay"}, {"lang", "en"}, {"chars", 45}}};
  {
    RequestLogWriter log(dir / "log.jsonl");
    cell(log, "korean_ko", "conc=1,out=11", {20, 20}, ko_items, {30, 15});
    cell(log, "korean_en", "conc=1,out=11", {20, 20}, en_items, {20, 10});
  }
  const FrameworkLog log = digest_log(dir / "log.jsonl");
  const auto items = korean_item_figures(log.cells[0]);
  ASSERT_EQ(items.size(), 2u);
  EXPECT_DOUBLE_EQ(items[0]["prompt_chars_per_token"].get<double>(), 2.0);
  EXPECT_DOUBLE_EQ(items[0]["output_chars_per_token"].get<double>(), 4.0);  // 44 chars, 11 tokens
  EXPECT_NEAR(items[0]["output_tokens_per_s"].get<double>(), 11 / 0.1, 1e-9);
  EXPECT_NEAR(items[0]["output_chars_per_s"].get<double>(), 44 / 0.1, 1e-9);
  const auto compared = korean_comparison(log);
  ASSERT_EQ(compared.size(), 1u);
  EXPECT_DOUBLE_EQ(compared[0]["pairs"][0]["ko_en_input_token_ratio"].get<double>(), 1.5);
  EXPECT_DOUBLE_EQ(compared[0]["mean_ko_en_input_token_ratio"].get<double>(), 1.5);
}

}  // namespace
}  // namespace servemeter
