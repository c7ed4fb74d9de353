#include "analysis/effect_sizes.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace servemeter {
namespace {

using std::vector;

// Borenstein, Hedges, Higgins & Rothstein (2009), Introduction to Meta-Analysis, ch. 4 worked
// example: means 103 and 100, sds 5.5 and 4.5, n 50 and 50 → d = 0.5970, V_d = 0.0418,
// J = 0.9923, g = 0.5924, V_g = 0.0411, SE_g = 0.2028. (The book's J is the approximation
// 1 − 3/(4df − 1); the exact Gamma ratio used here differs by 3e-6.)
TEST(HedgesG, MatchesBorensteinWorkedExample) {
  const auto h = hedges_g(SampleSummary{50, 103, 5.5}, SampleSummary{50, 100, 4.5});
  ASSERT_TRUE(h) << h.reason();
  EXPECT_NEAR(h->d, 0.5970, 5e-5);
  EXPECT_NEAR(h->correction, 0.9923, 5e-5);
  EXPECT_NEAR(h->g, 0.5924, 5e-5);
  EXPECT_NEAR(h->standard_error, 0.2028, 5e-5);
  // g ± 1.959964·SE
  EXPECT_NEAR(h->ci.low, 0.5924 - 1.959964 * 0.2028, 2e-4);
  EXPECT_NEAR(h->ci.high, 0.5924 + 1.959964 * 0.2028, 2e-4);
}

TEST(HedgesG, RawSamplesMatchTheirSummary) {
  // Sleep data (R's ?t.test): sds 1.789010 and 2.002249.
  const vector<double> a{0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0};
  const vector<double> b{1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4};
  const auto raw = hedges_g(a, b);
  const auto summary =
      hedges_g(SampleSummary{10, 0.75, 1.789010}, SampleSummary{10, 2.33, 2.002249});
  ASSERT_TRUE(raw && summary);
  EXPECT_NEAR(raw->g, summary->g, 1e-6);
  EXPECT_LT(raw->g, 0);  // a is the smaller
  // By hand: pooled sd = √((1.789010² + 2.002249²)/2) = 1.898626, d = −1.58/1.898626 = −0.832181.
  EXPECT_NEAR(raw->d, -0.832181, 1e-5);
}

TEST(HedgesG, RefusesTooFewOrConstantSamples) {
  const vector<double> one{1}, two{1, 2}, flat{3, 3, 3};
  EXPECT_FALSE(hedges_g(one, two));
  const auto h = hedges_g(flat, flat);
  ASSERT_FALSE(h);
  EXPECT_NE(h.reason().find("zero variance"), std::string::npos) << h.reason();
}

// Equal coefficients of variation (0.1) and n = 6 make the two log-scale terms equal, so the
// Welch–Satterthwaite df is exactly 2(n − 1) = 10 and t(0.975, 10) = 2.228 (any t table; 2.2281389
// to more places). Var(log ratio) = 2·0.1²/6, half width 2.2281389·0.0577350 = 0.1286417, so the
// interval is 2·e^(∓0.1286417) = (1.758578, 2.274565).
TEST(RatioOfMeans, DeltaMethodOnLogScaleByHand) {
  const auto r = ratio_of_means(SampleSummary{6, 200, 20}, SampleSummary{6, 100, 10});
  ASSERT_TRUE(r) << r.reason();
  EXPECT_DOUBLE_EQ(r->ratio, 2);
  EXPECT_NEAR(r->df, 10, 1e-12);
  EXPECT_NEAR(r->ci.low, 1.758578, 1e-6);
  EXPECT_NEAR(r->ci.high, 2.274565, 1e-6);
  EXPECT_NEAR(r->ci.low * r->ci.high, 4, 1e-12);  // symmetric on the log scale
}

TEST(RatioOfMeans, SwappingGivesTheReciprocalInterval) {
  const vector<double> a{110, 120, 130, 125}, b{50, 55, 60, 52, 58};
  const auto ab = ratio_of_means(a, b);
  const auto ba = ratio_of_means(b, a);
  ASSERT_TRUE(ab && ba);
  EXPECT_NEAR(ab->ratio * ba->ratio, 1, 1e-12);
  EXPECT_NEAR(ab->ci.low * ba->ci.high, 1, 1e-12);
  EXPECT_NEAR(ab->ci.high * ba->ci.low, 1, 1e-12);
}

TEST(RatioOfMeans, NeedsPositiveMeansAndSomeVariance) {
  const vector<double> pos{1, 2, 3}, zero_mean{-1, 0, 1}, flat{2, 2};
  const auto r = ratio_of_means(pos, zero_mean);
  ASSERT_FALSE(r);
  EXPECT_NE(r.reason().find("above 0"), std::string::npos) << r.reason();
  EXPECT_FALSE(ratio_of_means(flat, flat));
  const vector<double> one{4};
  EXPECT_FALSE(ratio_of_means(one, pos));
}

TEST(MeanWithCi, ReusesTheTrialEstimate) {
  // t(0.975, 2) = 4.302653; half width 4.302653·2/√3 = 4.968275 (as core's own test).
  const vector<double> trials{10, 12, 14};
  const auto e = mean_with_ci(trials);
  ASSERT_TRUE(e) << e.reason();
  EXPECT_DOUBLE_EQ(e->mean, 12);
  EXPECT_NEAR(*e->ci95_low, 12 - 4.968275, 1e-6);
  EXPECT_NEAR(*e->ci95_high, 12 + 4.968275, 1e-6);
}

TEST(MeanWithCi, OneValueOrNanHasAReason) {
  const vector<double> one{7}, bad{1, std::numeric_limits<double>::quiet_NaN()};
  const auto e = mean_with_ci(one);
  ASSERT_FALSE(e);
  EXPECT_NE(e.reason().find("at least 2"), std::string::npos) << e.reason();
  EXPECT_FALSE(mean_with_ci(bad));
}

}  // namespace
}  // namespace servemeter
