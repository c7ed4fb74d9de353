// H1–H5 on comparisons built in code, where the answer is known: each verdict, and
// "inconclusive" with its reason when samples are too few or trials missing.
#include "analysis/hypotheses.h"

#include <gtest/gtest.h>

#include "analysis/comparison_fixture.h"

namespace servemeter {
namespace {

using testing::around;
using testing::cell;
using testing::compare;
using testing::framework;
using testing::hypothesis;
using testing::row;
using testing::set_trials;

// A prefix_cache cell: item 0–4 cold-ish, 5… at `warm` ms; and a control at `control` ms.
void add_prefix(FrameworkResults& fw, double warm, int questions = 20, double control = 80) {
  MeasuredCell c = cell("prefix_cache", "shared,out=16", {{"output_tokens", 16}});
  MeasuredCell k = cell("prefix_cache_control", "unique,out=16", {{"output_tokens", 16}});
  for (int trial = 0; trial < 2; ++trial)
    for (int i = 0; i < questions; ++i) {
      c.rows.push_back(row(static_cast<std::uint32_t>(i),
                           i == 0 && trial == 0 ? control : around(warm, i + trial * 7), trial));
      k.rows.push_back(row(static_cast<std::uint32_t>(i), around(control, i + trial * 3), trial));
    }
  set_trials(c, Metric::ttft_avg, {warm, warm});
  set_trials(k, Metric::ttft_avg, {control, control});
  fw.cells.push_back(c);
  fw.cells.push_back(k);
}

TEST(H1, SupportedWhenSglangsWarmTtftIsFarLower) {
  auto s = framework("sglang"), v = framework("vllm");
  add_prefix(s, 10);
  add_prefix(v, 75);
  const Comparison c = compare({s, v});
  const auto& h = hypothesis(c, "H1");
  EXPECT_EQ(h.verdict, Verdict::supported) << h.reason;
  ASSERT_EQ(h.comparisons.size(), 3u);
  const auto& main = h.comparisons[0];
  EXPECT_EQ(main.test, "Mann–Whitney U (normal approximation)");  // ties across trials
  EXPECT_EQ(main.n_a, 30u);                                       // items 5–19 of two trials
  ASSERT_TRUE(main.ratio);
  EXPECT_NEAR(main.ratio->value, 7.5, 0.5);
  ASSERT_TRUE(main.p_holm);
  EXPECT_LT(*main.p_holm, 0.001);
  EXPECT_GE(*main.p_holm, *main.p_value);
  EXPECT_TRUE(main.extra);  // the shift in ms
  // The speed-ups are context: they do not decide.
  EXPECT_FALSE(h.comparisons[1].decides);
  EXPECT_EQ(h.comparisons[1].outcome, Outcome::meets);
}

TEST(H1, NotSupportedWhenBothCacheAlike) {
  auto s = framework("sglang"), v = framework("vllm");
  add_prefix(s, 10);
  add_prefix(v, 10.5);
  const Comparison c_h = compare({s, v});
  const auto& h = hypothesis(c_h, "H1");
  EXPECT_EQ(h.verdict, Verdict::not_supported) << h.reason;
  EXPECT_EQ(h.comparisons[0].outcome, Outcome::fails);
  EXPECT_NE(h.comparisons[0].reason.find("below 1.2"), std::string::npos);
}

TEST(H1, InconclusiveWithTooFewWarmRequests) {
  auto s = framework("sglang"), v = framework("vllm");
  add_prefix(s, 10, 6);  // one warm request per trial: 2 in all
  add_prefix(v, 75, 6);
  const Comparison c_h = compare({s, v});
  const auto& h = hypothesis(c_h, "H1");
  EXPECT_EQ(h.verdict, Verdict::inconclusive);
  EXPECT_EQ(h.comparisons[0].outcome, Outcome::unavailable);
  EXPECT_NE(h.reason.find("too few successful requests"), std::string::npos) << h.reason;
}

TEST(H1, InconclusiveWithoutVllmOrWithoutRequests) {
  auto s = framework("sglang");
  add_prefix(s, 10);
  const Comparison c_h = compare({s});
  const auto& h = hypothesis(c_h, "H1");
  EXPECT_EQ(h.verdict, Verdict::inconclusive);
  EXPECT_NE(h.reason.find("no vLLM results"), std::string::npos) << h.reason;

  auto v = framework("vllm");
  add_prefix(v, 75);
  for (auto& c : v.cells) c.rows_available = false;  // a runbook file: figures only
  v.source = ResultsSource::runbook_results;
  const Comparison c_h2 = compare({s, v});
  const auto& h2 = hypothesis(c_h2, "H1");
  EXPECT_EQ(h2.verdict, Verdict::inconclusive);
  EXPECT_NE(h2.reason.find("per-request values of vLLM are missing"), std::string::npos)
      << h2.reason;
}

void add_load(FrameworkResults& fw, double base_throughput, double growth_16, int trials,
              double scaling_16) {
  for (const int conc : {1, 16}) {
    MeasuredCell c = cell("concurrent_load", "in=512,out=16,conc=" + std::to_string(conc),
                          {{"concurrency", conc}});
    std::vector<double> throughput, latency;
    for (int t = 0; t < trials; ++t) {
      throughput.push_back(around(base_throughput * (conc == 16 ? scaling_16 : 1), t, 0.03));
      latency.push_back(around(100 * (conc == 16 ? growth_16 : 1), t + 1, 0.03));
    }
    set_trials(c, Metric::output_throughput, throughput);
    set_trials(c, Metric::latency_avg, latency);
    fw.cells.push_back(c);
  }
}

TEST(H2, SupportedWhenBothExceedOllamaThreefold) {
  auto s = framework("sglang"), v = framework("vllm"), o = framework("ollama");
  add_load(s, 100, 1.3, 3, 12);
  add_load(v, 100, 1.4, 3, 11);
  add_load(o, 80, 16, 3, 1);
  const Comparison c = compare({s, v, o});
  const auto& h = hypothesis(c, "H2");
  EXPECT_EQ(h.verdict, Verdict::supported) << h.reason;
  ASSERT_EQ(h.comparisons.size(), 2u);
  EXPECT_EQ(h.comparisons[0].test, "Welch's t");
  EXPECT_EQ(h.comparisons[0].sample_unit, "trials");
  EXPECT_NEAR(h.comparisons[0].ratio->value, 15, 1);
  EXPECT_TRUE(h.comparisons[0].extra);  // Hedges' g
}

TEST(H2, OneTrialIsInconclusiveNeverConfident) {
  auto s = framework("sglang"), o = framework("ollama");
  add_load(s, 100, 1.3, 1, 12);
  add_load(o, 80, 16, 1, 1);
  const Comparison c_h = compare({s, o});
  const auto& h = hypothesis(c_h, "H2");
  EXPECT_EQ(h.verdict, Verdict::inconclusive);
  EXPECT_NE(h.reason.find("one trial where trials are needed"), std::string::npos) << h.reason;
}

TEST(H2, NotSupportedWhenTheLeadIsSmall) {
  auto s = framework("sglang"), o = framework("ollama");
  add_load(s, 100, 1.3, 4, 1.5);
  add_load(o, 100, 1.3, 4, 1);
  const Comparison c_h = compare({s, o});
  const auto& h = hypothesis(c_h, "H2");
  EXPECT_EQ(h.verdict, Verdict::not_supported) << h.reason;
}

TEST(H4, SupportedWhenOneFrameworkDegradesMuchFaster) {
  auto v = framework("vllm"), o = framework("ollama");
  add_load(v, 100, 1.2, 3, 10);
  add_load(o, 80, 16, 3, 1);
  const Comparison c = compare({v, o});
  const auto& h = hypothesis(c, "H4");
  EXPECT_EQ(h.verdict, Verdict::supported) << h.reason;
  ASSERT_EQ(h.comparisons.size(), 1u);
  EXPECT_EQ(h.comparisons[0].a, "Ollama");  // the faster-degrading first
  EXPECT_NEAR(h.comparisons[0].ratio->value, 16 / 1.2, 1);
  ASSERT_EQ(h.notes.size(), 2u);
  EXPECT_NE(h.notes[1].find("16:"), std::string::npos) << h.notes[1];
}

TEST(H4, NotSupportedWhenAllDegradeAlike) {
  auto s = framework("sglang"), v = framework("vllm");
  add_load(s, 100, 2.0, 4, 10);
  add_load(v, 100, 2.1, 4, 10);
  const Comparison c_h = compare({s, v});
  const auto& h = hypothesis(c_h, "H4");
  EXPECT_EQ(h.verdict, Verdict::not_supported) << h.reason;
}

void add_single(FrameworkResults& fw, double ttft, double latency) {
  MeasuredCell c = cell("single_request", "in=128,out=16", {{"concurrency", 1}});
  for (int i = 0; i < 10; ++i) c.rows.push_back(row(i, around(ttft, i), 0, around(latency, i + 3)));
  set_trials(c, Metric::ttft_avg, {ttft});
  fw.cells.push_back(c);
}

TEST(H3, NotSupportedWhenOllamaIsFarSlower) {
  auto s = framework("sglang"), o = framework("ollama");
  add_single(s, 30, 300);
  add_single(o, 90, 700);
  const Comparison c_h = compare({s, o});
  const auto& h = hypothesis(c_h, "H3");
  EXPECT_EQ(h.verdict, Verdict::not_supported) << h.reason;
  ASSERT_EQ(h.comparisons.size(), 2u);  // TTFT and latency
  EXPECT_EQ(h.comparisons[0].test, "Mann–Whitney U (exact)");
  EXPECT_EQ(h.comparisons[0].claim, Claim::within);
}

TEST(H3, SupportedWhenOllamaIsClose) {
  auto s = framework("sglang"), v = framework("vllm"), o = framework("ollama");
  add_single(s, 30, 300);
  add_single(v, 40, 320);
  add_single(o, 30.5, 303);
  const Comparison c_h = compare({s, v, o});
  const auto& h = hypothesis(c_h, "H3");
  EXPECT_EQ(h.verdict, Verdict::supported) << h.reason;
  EXPECT_NE(h.comparisons[0].what.find("Ollama ÷ SGLang"), std::string::npos);  // the best
}

void add_korean(FrameworkResults& fw, double ratio, int items = 8) {
  MeasuredCell ko = cell("korean_ko", "conc=1,out=16"), en = cell("korean_en", "conc=1,out=16");
  for (int i = 0; i < items; ++i) {
    RequestRow k = row(i, 20), e = row(i, 20);
    e.input_tokens = 50 + 10 * i;
    k.input_tokens =
        std::llround(static_cast<double>(e.input_tokens) * ratio * (1 + 0.02 * (i % 3)));
    ko.rows.push_back(k);
    en.rows.push_back(e);
  }
  set_trials(ko, Metric::output_throughput, {100});
  set_trials(en, Metric::output_throughput, {110});
  fw.cells.push_back(ko);
  fw.cells.push_back(en);
}

TEST(H5, SupportedWhenKoreanCostsMoreAndOneFrameworkDiffers) {
  auto s = framework("sglang"), o = framework("ollama");
  add_korean(s, 2.0);
  add_korean(o, 2.6);
  const Comparison c = compare({s, o});
  const auto& h = hypothesis(c, "H5");
  EXPECT_EQ(h.verdict, Verdict::supported) << h.reason;
  ASSERT_EQ(h.comparisons.size(), 3u);
  EXPECT_EQ(h.comparisons[0].test, "one-sample t on log ratios");
  EXPECT_NEAR(h.comparisons[0].ratio->value, 2.0 * 1.02, 0.05);
  ASSERT_EQ(c.korean.size(), 2u);
  EXPECT_NEAR(*c.korean[0].ratio, 2.0 * 1.02, 0.05);
  EXPECT_EQ(c.korean[0].item_ratios.size(), 8u);
}

TEST(H5, NotSupportedWhenEveryFrameworkCountsAlike) {
  auto s = framework("sglang"), v = framework("vllm");
  add_korean(s, 2.0);
  add_korean(v, 2.0);
  const Comparison c_h = compare({s, v});
  const auto& h = hypothesis(c_h, "H5");
  EXPECT_EQ(h.verdict, Verdict::not_supported) << h.reason;
  EXPECT_TRUE(h.comparisons.back().exact);  // identical counts: the ratio of ratios is exactly 1
  EXPECT_NE(h.reason.find("Korean costs more tokens: supported"), std::string::npos) << h.reason;
}

TEST(H5, NotSupportedWhenKoreanIsCheaper) {
  auto s = framework("sglang");
  add_korean(s, 0.8);
  const Comparison c_h = compare({s});
  const auto& h = hypothesis(c_h, "H5");
  EXPECT_EQ(h.verdict, Verdict::not_supported) << h.reason;
}

TEST(Judge, HolmAdjustsWithinTheFamilyAndDecidesByTheInterval) {
  std::vector<TestedComparison> family(3);
  const double p[] = {0.01, 0.04, 0.03};
  for (int i = 0; i < 3; ++i) {
    family[i].p_value = p[i];
    family[i].ratio = Effect{"ratio", 2, 1.5, 2.5, "×"};
    family[i].claim = Claim::at_least;
    family[i].margin = 1.2;
  }
  judge(family);
  EXPECT_DOUBLE_EQ(*family[0].p_holm, 0.03);  // 0.01 × 3
  EXPECT_DOUBLE_EQ(*family[2].p_holm, 0.06);  // 0.03 × 2
  EXPECT_DOUBLE_EQ(*family[1].p_holm, 0.06);  // max(0.04 × 1, 0.06)
  EXPECT_EQ(family[0].outcome, Outcome::meets);
  EXPECT_EQ(family[1].outcome, Outcome::undecided);  // the interval clears 1.2, p does not
  EXPECT_NE(family[1].reason.find("not significant after Holm"), std::string::npos);

  TestedComparison within;
  within.claim = Claim::within;
  within.margin = 1.25;
  within.ratio = Effect{"ratio", 1.1, 1.0, 1.3, "×"};
  std::vector<TestedComparison> one{within};
  judge(one);
  EXPECT_EQ(one[0].outcome, Outcome::undecided);  // 1.3 > 1.25: not shown to be within
  one[0].ratio->ci_high = 1.2;
  judge(one);
  EXPECT_EQ(one[0].outcome, Outcome::meets);
  one[0].ratio = Effect{"ratio", 1.5, 1.3, 1.8, "×"};
  judge(one);
  EXPECT_EQ(one[0].outcome, Outcome::fails);

  TestedComparison differs;
  differs.claim = Claim::differs;
  differs.margin = 1.5;
  differs.p_value = 0.001;
  differs.ratio = Effect{"ratio", 0.5, 0.4, 0.6, "×"};  // b degrades twice as fast
  std::vector<TestedComparison> d{differs};
  judge(d);
  EXPECT_EQ(d[0].outcome, Outcome::meets);
}

TEST(PrefixCacheFigures, FirstRequestFirstFiveAndTheRest) {
  auto s = framework("sglang");
  MeasuredCell c = cell("prefix_cache", "shared,out=16");
  for (int i = 0; i < 10; ++i) c.rows.push_back(row(i, i == 0 ? 100 : (i < 5 ? 20 : 10)));
  set_trials(c, Metric::ttft_avg, {10});
  MeasuredCell k = cell("prefix_cache_control", "unique,out=16");
  for (int i = 0; i < 10; ++i) k.rows.push_back(row(i, 50));
  set_trials(k, Metric::ttft_avg, {50});
  s.cells = {c, k};
  const Comparison cmp = compare({s});
  ASSERT_EQ(cmp.prefix_cache.size(), 1u);
  const PrefixCacheFigures& p = cmp.prefix_cache[0];
  EXPECT_DOUBLE_EQ(p.first_request_ttft->mean, 100);
  EXPECT_DOUBLE_EQ(p.first5_ttft->mean, (100 + 4 * 20) / 5.0);
  EXPECT_DOUBLE_EQ(p.rest_ttft->mean, 10);
  EXPECT_DOUBLE_EQ(p.speedup->mean, 3.6);
  EXPECT_DOUBLE_EQ(p.control_ttft->mean, 50);
  EXPECT_DOUBLE_EQ(p.control_over_rest->mean, 5);
  EXPECT_EQ(p.control_label, "unique,out=16");
  ASSERT_EQ(p.ttft_by_index.size(), 10u);
  EXPECT_DOUBLE_EQ(p.ttft_by_index[0], 100);
}

TEST(Saturation, FoundFromTheMeansOverTrials) {
  auto v = framework("vllm");
  const std::pair<int, double> levels[] = {{1, 100}, {8, 600}, {16, 1000}, {32, 1040}, {64, 1050}};
  for (const auto& [conc, throughput] : levels) {
    MeasuredCell c =
        cell("concurrent_load", "conc=" + std::to_string(conc), {{"concurrency", conc}});
    set_trials(c, Metric::output_throughput, {throughput, throughput});
    set_trials(c, Metric::latency_avg, {100.0 * conc, 100.0 * conc});
    v.cells.push_back(c);
  }
  const Comparison c = compare({v});
  ASSERT_EQ(c.saturation.size(), 1u);
  ASSERT_TRUE(c.saturation[0].concurrency);
  EXPECT_EQ(*c.saturation[0].concurrency, 16);
  EXPECT_NE(c.saturation[0].evidence.find("from 16 to 32"), std::string::npos);
}

TEST(Comparison, SaysWhatIsMissing) {
  auto s = framework("sglang");
  MeasuredCell failed = cell("single_request", "in=128,out=16");
  failed.trials.resize(1);
  failed.measured = 10;
  failed.succeeded = 0;
  failed.errors = {{"connect", 10}};
  s.cells.push_back(failed);
  const Comparison c = compare({s});
  const auto has = [&](const std::string& text) {
    for (const auto& m : c.missing)
      if (m.find(text) != std::string::npos) return true;
    return false;
  };
  EXPECT_TRUE(has("no results for vLLM"));
  EXPECT_TRUE(has("no results for Ollama"));
  EXPECT_TRUE(has("no framework has prefix_cache results"));
  EXPECT_TRUE(has("every measured request failed (connect 10)"));
  for (const auto& h : c.hypotheses) EXPECT_EQ(h.verdict, Verdict::inconclusive) << h.id;
}

}  // namespace
}  // namespace servemeter
