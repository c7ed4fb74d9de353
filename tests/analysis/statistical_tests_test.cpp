#include "analysis/statistical_tests.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace servemeter {
namespace {

using std::vector;

// R's `sleep` data (Cushny & Peebles), the worked example of R's ?t.test:
// t.test(extra ~ group, data = sleep) → t = -1.8608, df = 17.776, p-value = 0.07939,
// 95 percent confidence interval -3.3654832 0.2054832, means 0.75 and 2.33.
const vector<double> kSleepGroup1{0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0};
const vector<double> kSleepGroup2{1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4};

TEST(WelchTTest, MatchesRSleepExample) {
  const auto w = welch_t_test(kSleepGroup1, kSleepGroup2);
  ASSERT_TRUE(w) << w.reason();
  EXPECT_NEAR(w->a.mean, 0.75, 1e-12);
  EXPECT_NEAR(w->b.mean, 2.33, 1e-12);
  EXPECT_NEAR(w->mean_difference, -1.58, 1e-12);
  EXPECT_NEAR(w->t, -1.8608, 5e-5);
  EXPECT_NEAR(w->df, 17.776, 5e-4);
  EXPECT_NEAR(w->p_value, 0.07939, 5e-6);
  EXPECT_NEAR(w->difference_ci.low, -3.3654832, 5e-8);
  EXPECT_NEAR(w->difference_ci.high, 0.2054832, 5e-8);
  EXPECT_DOUBLE_EQ(w->difference_ci.level, 0.95);
}

TEST(WelchTTest, MatchesROutlierExample) {
  // R's ?t.test: t.test(1:10, y = c(7:20, 200)) → t = -1.6329, df = 14.165, p-value = 0.1245,
  // 95 percent confidence interval -47.242900 6.376233, means 5.50000 25.93333.
  vector<double> x, y;
  for (int i = 1; i <= 10; ++i) x.push_back(i);
  for (int i = 7; i <= 20; ++i) y.push_back(i);
  y.push_back(200);
  const auto w = welch_t_test(x, y);
  ASSERT_TRUE(w) << w.reason();
  EXPECT_NEAR(w->t, -1.6329, 5e-5);
  EXPECT_NEAR(w->df, 14.165, 5e-4);
  EXPECT_NEAR(w->p_value, 0.1245, 5e-5);
  EXPECT_NEAR(w->difference_ci.low, -47.242900, 5e-7);
  EXPECT_NEAR(w->difference_ci.high, 6.376233, 5e-7);
  EXPECT_NEAR(w->b.mean, 25.93333, 5e-6);
}

TEST(WelchTTest, SummaryFormMatchesRawForm) {
  // MKinfer's tTestA example gives the sleep data as summaries (sd 1.789010 and 2.002249) and
  // prints t = -1.8608, df = 17.776, p-value = 0.07939.
  const auto w = welch_t_test(SampleSummary{10, 0.75, 1.789010}, SampleSummary{10, 2.33, 2.002249});
  ASSERT_TRUE(w) << w.reason();
  EXPECT_NEAR(w->t, -1.8608, 5e-5);
  EXPECT_NEAR(w->df, 17.776, 5e-4);
  EXPECT_NEAR(w->p_value, 0.07939, 5e-6);
}

TEST(WelchTTest, OtherConfidenceLevelWidensInterval) {
  const auto w95 = welch_t_test(kSleepGroup1, kSleepGroup2, 0.95);
  const auto w99 = welch_t_test(kSleepGroup1, kSleepGroup2, 0.99);
  ASSERT_TRUE(w95 && w99);
  EXPECT_LT(w99->difference_ci.low, w95->difference_ci.low);
  EXPECT_GT(w99->difference_ci.high, w95->difference_ci.high);
  EXPECT_DOUBLE_EQ(w99->p_value, w95->p_value);
}

TEST(WelchTTest, OneValueIsTooFew) {
  const vector<double> one{1.0}, three{1.0, 2.0, 3.0};
  const auto w = welch_t_test(one, three);
  ASSERT_FALSE(w);
  EXPECT_NE(w.reason().find("at least 2 values"), std::string::npos) << w.reason();
}

TEST(WelchTTest, IdenticalConstantSamplesHaveNoStatistic) {
  const vector<double> a{5, 5, 5}, b{5, 5, 5, 5};
  const auto w = welch_t_test(a, b);
  ASSERT_FALSE(w);
  EXPECT_NE(w.reason().find("zero variance"), std::string::npos) << w.reason();
}

TEST(WelchTTest, OneConstantSampleStillTests) {
  // Only b varies: df reduces to n_b − 1 = 2 and t = (5 − 2)/(1/√3) by hand.
  const vector<double> a{5, 5, 5}, b{1, 2, 3};
  const auto w = welch_t_test(a, b);
  ASSERT_TRUE(w) << w.reason();
  EXPECT_NEAR(w->df, 2, 1e-12);
  EXPECT_NEAR(w->t, 3 * std::sqrt(3.0), 1e-12);
  EXPECT_GT(w->p_value, 0);
  EXPECT_LT(w->p_value, 0.05);
}

TEST(WelchTTest, IdenticalSamplesGivePOne) {
  const auto w = welch_t_test(kSleepGroup1, kSleepGroup1);
  ASSERT_TRUE(w) << w.reason();
  EXPECT_DOUBLE_EQ(w->t, 0);
  EXPECT_DOUBLE_EQ(w->p_value, 1);
}

TEST(WelchTTest, NanAndBadConfidenceAreRefusedWithReason) {
  const vector<double> a{1, std::numeric_limits<double>::quiet_NaN(), 3}, b{1, 2, 3};
  const auto w = welch_t_test(a, b);
  ASSERT_FALSE(w);
  EXPECT_NE(w.reason().find("index 1"), std::string::npos) << w.reason();
  const auto c = welch_t_test(b, b, 1.0);
  ASSERT_FALSE(c);
  EXPECT_NE(c.reason().find("confidence"), std::string::npos) << c.reason();
}

TEST(WelchTTest, HugeSamplesApproachTheNormalTest) {
  // Two interleaved arithmetic sequences of 500,000 values each, sd ≈ 288,675: t ≈ −0.5/408.2,
  // so p is within 1e-3 of 1; and the df approaches n_a + n_b − 2.
  vector<double> a, b;
  for (int i = 0; i < 500000; ++i) {
    a.push_back(2.0 * i);
    b.push_back(2.0 * i + 1);
  }
  const auto w = welch_t_test(a, b);
  ASSERT_TRUE(w) << w.reason();
  EXPECT_NEAR(w->df, 999998, 1);
  EXPECT_GT(w->p_value, 0.997);
  EXPECT_LE(w->p_value, 1.0);
}

// Hollander & Wolfe (1999), Nonparametric Statistical Methods, Table 4.1: permeability of the
// human chorioamnion at term (x) and at 12–26 weeks (y). R's ?wilcox.test:
// wilcox.test(x, y, alternative = "g") → W = 35, p-value = 0.1272 (exact), so two-sided 0.2544;
// coin's exact wilcox_test prints p-value = 0.2544, 95% CI −0.76 0.15 and estimate −0.305 for
// y − x, i.e. 0.305 in (−0.15, 0.76) for x − y.
const vector<double> kTerm{0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46};
const vector<double> kEarly{1.15, 0.88, 0.90, 0.74, 1.21};

TEST(MannWhitneyU, MatchesHollanderWolfeExactExample) {
  const auto m = mann_whitney_u(kTerm, kEarly);
  ASSERT_TRUE(m) << m.reason();
  EXPECT_EQ(m->method, PValueMethod::exact);
  EXPECT_DOUBLE_EQ(m->u_a, 35);
  EXPECT_DOUBLE_EQ(m->u_b, 15);
  EXPECT_NEAR(m->p_value, 2 * 0.1272, 1e-4);
  EXPECT_NEAR(m->p_value, 0.2544, 5e-5);
  EXPECT_FALSE(m->z);
  EXPECT_DOUBLE_EQ(m->rank_biserial, (35.0 - 15.0) / 50.0);
  EXPECT_NEAR(m->hodges_lehmann, 0.305, 1e-12);
  ASSERT_TRUE(m->hodges_lehmann_ci) << m->hodges_lehmann_ci.reason();
  EXPECT_NEAR(m->hodges_lehmann_ci->low, -0.15, 1e-12);
  EXPECT_NEAR(m->hodges_lehmann_ci->high, 0.76, 1e-12);
}

TEST(MannWhitneyU, SwappingSamplesMirrorsEverything) {
  const auto m = mann_whitney_u(kEarly, kTerm);
  ASSERT_TRUE(m) << m.reason();
  EXPECT_DOUBLE_EQ(m->u_a, 15);
  EXPECT_NEAR(m->p_value, 0.2544, 5e-5);
  EXPECT_DOUBLE_EQ(m->rank_biserial, -0.4);
  EXPECT_NEAR(m->hodges_lehmann, -0.305, 1e-12);
  ASSERT_TRUE(m->hodges_lehmann_ci);
  EXPECT_NEAR(m->hodges_lehmann_ci->low, -0.76, 1e-12);
  EXPECT_NEAR(m->hodges_lehmann_ci->high, 0.15, 1e-12);
}

TEST(MannWhitneyU, MatchesRWithTiesUsingNormalApproximation) {
  // endmemo.com/r/wilcoxon.php (R's wilcox.test with its default continuity correction; ties, so
  // "cannot compute exact p-value with ties"): W = 51.5, p-value = 0.5966.
  const vector<double> x{1, 5, 9, 24, 56, 21, 3, 7, 21, 4};
  const vector<double> y{12, 15, 5, 9, 9, 14, 56, 22, 3, 7, 32, 5};
  const auto m = mann_whitney_u(x, y);
  ASSERT_TRUE(m) << m.reason();
  EXPECT_EQ(m->method, PValueMethod::normal_approximation);
  EXPECT_DOUBLE_EQ(m->u_a, 51.5);
  EXPECT_NEAR(m->p_value, 0.5966, 5e-5);
  ASSERT_TRUE(m->z);

  // Same page: y = c(1233, 4356, 987, 39999, 1111, 200000) → W = 0, p-value = 0.001364.
  const vector<double> far{1233, 4356, 987, 39999, 1111, 200000};
  const auto f = mann_whitney_u(x, far);
  ASSERT_TRUE(f) << f.reason();
  EXPECT_DOUBLE_EQ(f->u_a, 0);
  EXPECT_NEAR(f->p_value, 0.001364, 5e-7);
  EXPECT_DOUBLE_EQ(f->rank_biserial, -1);
}

TEST(MannWhitneyU, CompleteSeparationOfThreeAndThree) {
  // By hand: 20 equally likely orderings, one with U = 0, so P(U ≤ 0) = 1/20 (Mann & Whitney
  // 1947, table for n = m = 3) and the two-sided p = 0.1. No 95% interval can be had: the
  // smallest two-sided level below 1 − 0.1 does not reach 0.95.
  const vector<double> low{1, 2, 3}, high{4, 5, 6};
  const auto m = mann_whitney_u(low, high);
  ASSERT_TRUE(m) << m.reason();
  EXPECT_DOUBLE_EQ(m->u_a, 0);
  EXPECT_NEAR(m->p_value, 0.1, 1e-15);
  EXPECT_DOUBLE_EQ(m->rank_biserial, -1);
  EXPECT_DOUBLE_EQ(m->hodges_lehmann, -3);  // median of {−5, −4, −4, −3, −3, −3, −2, −2, −1}
  ASSERT_FALSE(m->hodges_lehmann_ci);
  EXPECT_NE(m->hodges_lehmann_ci.reason().find("too small"), std::string::npos);
  // An 80% interval is within reach (P(U ≤ 0) = 0.05 < 0.1): [D_(1), D_(9)] by R's rule.
  const auto m80 = mann_whitney_u(low, high, 0.80);
  ASSERT_TRUE(m80 && m80->hodges_lehmann_ci);
  EXPECT_DOUBLE_EQ(m80->hodges_lehmann_ci->low, -5);
  EXPECT_DOUBLE_EQ(m80->hodges_lehmann_ci->high, -1);
}

TEST(MannWhitneyU, SingleValueAgainstThree) {
  // n_a = 1: U is the number of b values below a, uniform on {0, 1, 2, 3}; a = 5 beats all three,
  // P(U ≥ 3) = 1/4, two-sided p = 1/2.
  const vector<double> one{5}, three{1, 2, 3};
  const auto m = mann_whitney_u(one, three);
  ASSERT_TRUE(m) << m.reason();
  EXPECT_DOUBLE_EQ(m->u_a, 3);
  EXPECT_DOUBLE_EQ(m->p_value, 0.5);
  EXPECT_DOUBLE_EQ(m->hodges_lehmann, 3);
}

TEST(MannWhitneyU, IdenticalSamplesShowNoDifference) {
  const vector<double> a{1, 2, 3, 4, 5};
  const auto m = mann_whitney_u(a, a);
  ASSERT_TRUE(m) << m.reason();
  EXPECT_EQ(m->method, PValueMethod::normal_approximation);  // every value is tied once
  EXPECT_DOUBLE_EQ(m->u_a, 12.5);
  EXPECT_DOUBLE_EQ(*m->z, 0);
  EXPECT_DOUBLE_EQ(m->p_value, 1);
  EXPECT_DOUBLE_EQ(m->rank_biserial, 0);
  EXPECT_DOUBLE_EQ(m->hodges_lehmann, 0);
}

TEST(MannWhitneyU, AllValuesEqualIsRefusedWithReason) {
  const vector<double> a{7, 7, 7}, b{7, 7};
  const auto m = mann_whitney_u(a, b);
  ASSERT_FALSE(m);
  EXPECT_NE(m.reason().find("every value"), std::string::npos) << m.reason();
}

TEST(MannWhitneyU, EmptyOrNanIsRefusedWithReason) {
  const vector<double> empty, some{1, 2}, bad{1, std::numeric_limits<double>::infinity()};
  EXPECT_FALSE(mann_whitney_u(empty, some));
  const auto m = mann_whitney_u(some, bad);
  ASSERT_FALSE(m);
  EXPECT_NE(m.reason().find("sample b"), std::string::npos) << m.reason();
}

TEST(MannWhitneyU, ExactDistributionAtTheLargestExactSize) {
  // 49 + 49 values without ties, b shifted by 5.5: U_a = Σ_{i=6}^{48} (i − 5) = 946. The exact
  // two-sided p, 0.0710044972, was counted independently with exact integers (Python: m-subsets
  // of the ranks 1..98 by rank sum, C(98, 49) in all); the corrected normal approximation gives
  // z = −1.80472, p = 0.07112 — close, as it should be at this size.
  vector<double> a, b;
  for (int i = 0; i < 49; ++i) {
    a.push_back(i);
    b.push_back(i + 5.5);
  }
  const auto m = mann_whitney_u(a, b);
  ASSERT_TRUE(m) << m.reason();
  ASSERT_EQ(m->method, PValueMethod::exact);
  EXPECT_DOUBLE_EQ(m->u_a, 946);
  EXPECT_NEAR(m->p_value, 0.0710044972, 1e-9);
  EXPECT_DOUBLE_EQ(m->hodges_lehmann, -5.5);
  ASSERT_TRUE(m->hodges_lehmann_ci);
  EXPECT_LT(m->hodges_lehmann_ci->low, -5.5);
  EXPECT_GT(m->hodges_lehmann_ci->high, -5.5);

  a.push_back(1000);  // a 50th value each leaves the exact range
  b.push_back(2000);
  const auto n = mann_whitney_u(a, b);
  ASSERT_TRUE(n) << n.reason();
  EXPECT_EQ(n->method, PValueMethod::normal_approximation);
}

TEST(MannWhitneyU, HugeSamplesUseNormalApproximation) {
  // a = 0..2999, b = a + 0.25: U_a = #{i > j} = n(n − 1)/2 = 4,498,500; σ² = n²(2n + 1)/12, so
  // z = (4,498,500 − 4,500,000 + 0.5)/67,087.629 = −0.0223514 and p = erfc(|z|/√2) = 0.9821677.
  // The 9 million differences k − 0.25 are symmetric about −0.25: the estimate is −0.25 and the
  // interval symmetric about it (found by bisection, the differences are never all stored).
  vector<double> a, b;
  for (int i = 0; i < 3000; ++i) {
    a.push_back(i);
    b.push_back(i + 0.25);
  }
  const auto m = mann_whitney_u(a, b);
  ASSERT_TRUE(m) << m.reason();
  EXPECT_EQ(m->method, PValueMethod::normal_approximation);
  EXPECT_DOUBLE_EQ(m->u_a, 4498500);
  EXPECT_NEAR(*m->z, -0.0223514, 1e-7);
  EXPECT_NEAR(m->p_value, 0.9821677, 1e-7);
  EXPECT_DOUBLE_EQ(m->hodges_lehmann, -0.25);
  ASSERT_TRUE(m->hodges_lehmann_ci);
  EXPECT_DOUBLE_EQ(m->hodges_lehmann_ci->low + m->hodges_lehmann_ci->high, -0.5);
  EXPECT_LT(m->hodges_lehmann_ci->low, -0.25);
}

// Holm (1979)'s step-down method; the worked example of Wikipedia's "Holm–Bonferroni method":
// p = 0.01, 0.04, 0.03, 0.005 at α = 0.05 rejects H1 and H4 only. Adjusted by hand: sorted
// 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, max(0.04·1, 0.06) = 0.06.
TEST(HolmAdjust, MatchesWorkedExampleInInputOrder) {
  const vector<double> p{0.01, 0.04, 0.03, 0.005};
  const auto adjusted = holm_adjust(p);
  ASSERT_TRUE(adjusted) << adjusted.reason();
  ASSERT_EQ(adjusted->size(), 4u);
  EXPECT_NEAR((*adjusted)[0], 0.03, 1e-15);
  EXPECT_NEAR((*adjusted)[1], 0.06, 1e-15);
  EXPECT_NEAR((*adjusted)[2], 0.06, 1e-15);
  EXPECT_NEAR((*adjusted)[3], 0.02, 1e-15);
  int rejected = 0;
  for (double q : *adjusted) rejected += q <= 0.05;
  EXPECT_EQ(rejected, 2);
}

TEST(HolmAdjust, IsMonotoneAndCappedAtOne) {
  // p.adjust(c(0.01, 0.02, 0.03, 0.04, 0.05), "holm") by the same rule: 0.05 0.08 0.09 0.09 0.09.
  const vector<double> p{0.01, 0.02, 0.03, 0.04, 0.05};
  const auto a = holm_adjust(p);
  ASSERT_TRUE(a);
  const vector<double> expected{0.05, 0.08, 0.09, 0.09, 0.09};
  for (std::size_t i = 0; i < p.size(); ++i) EXPECT_NEAR((*a)[i], expected[i], 1e-15);
  const vector<double> large{0.5, 0.6, 0.01};
  const auto c = holm_adjust(large);
  ASSERT_TRUE(c);
  EXPECT_DOUBLE_EQ((*c)[0], 1.0);
  EXPECT_DOUBLE_EQ((*c)[1], 1.0);
  EXPECT_DOUBLE_EQ((*c)[2], 0.03);
}

TEST(HolmAdjust, EmptyAndInvalidInput) {
  const auto empty = holm_adjust({});
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
  const vector<double> bad{0.2, 1.5};
  const auto b = holm_adjust(bad);
  ASSERT_FALSE(b);
  EXPECT_NE(b.reason().find("1.5"), std::string::npos) << b.reason();
  const vector<double> nan{std::numeric_limits<double>::quiet_NaN()};
  EXPECT_FALSE(holm_adjust(nan));
}

}  // namespace
}  // namespace servemeter
