#include "core/statistics.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <random>
#include <vector>

namespace servemeter {
namespace {

TEST(Percentile, MatchesNumpyLinearInterpolation) {
  // numpy.percentile(range(1, 11), q) for q = 50, 90, 99, 0, 100
  const std::vector<double> v{1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  EXPECT_DOUBLE_EQ(percentile_sorted(v, 50), 5.5);
  EXPECT_DOUBLE_EQ(percentile_sorted(v, 90), 9.1);
  EXPECT_NEAR(percentile_sorted(v, 99), 9.91, 1e-12);
  EXPECT_DOUBLE_EQ(percentile_sorted(v, 0), 1);
  EXPECT_DOUBLE_EQ(percentile_sorted(v, 100), 10);
}

TEST(Percentile, SingleValueIsEveryPercentile) {
  const std::vector<double> v{42};
  EXPECT_DOUBLE_EQ(percentile_sorted(v, 99), 42);
}

TEST(Summarize, UnsortedInputGivesNumpyFigures) {
  const auto d = summarize({10, 1, 4, 3, 2, 9, 5, 8, 7, 6});
  ASSERT_TRUE(d);
  EXPECT_EQ(d->count, 10u);
  EXPECT_DOUBLE_EQ(d->mean, 5.5);
  EXPECT_NEAR(d->std, 2.8722813232690143, 1e-12);  // numpy.std (population)
  EXPECT_DOUBLE_EQ(d->min, 1);
  EXPECT_DOUBLE_EQ(d->max, 10);
  EXPECT_DOUBLE_EQ(d->p50, 5.5);
  EXPECT_DOUBLE_EQ(d->p95, 9.55);
}

// Large inputs take their order statistics by radix selection: exactly what sorting gives, for
// spread, clustered, tied, heavy-tailed and negative values.
TEST(OrderStatistics, EqualSortingOnEveryShapeOfInput) {
  std::mt19937_64 rng(11);
  std::lognormal_distribution<double> skewed(3.0, 1.5);
  std::uniform_real_distribution<double> narrow(15.0, 15.001);
  const std::vector<std::function<double(std::size_t)>> shapes{
      [&](std::size_t) { return skewed(rng); },
      [&](std::size_t) { return narrow(rng); },
      [&](std::size_t i) { return static_cast<double>(i % 7); },         // many ties, zeros
      [&](std::size_t i) { return i % 1000 == 0 ? 1e9 : skewed(rng); },  // far outliers
      [&](std::size_t) { return -skewed(rng); },
      [&](std::size_t) { return 3.25; },  // all equal
  };
  for (std::size_t shape = 0; shape < shapes.size(); ++shape) {
    std::vector<double> values(50'001);
    for (std::size_t i = 0; i < values.size(); ++i) values[i] = shapes[shape](i);
    std::vector<double> sorted = values;
    std::sort(sorted.begin(), sorted.end());
    const std::vector<std::size_t> ranks{0, 1, 24'999, 25'000, 45'000, 49'499, 49'500, 50'000};
    const auto got = order_statistics(values, ranks);
    for (std::size_t i = 0; i < ranks.size(); ++i)
      EXPECT_EQ(got[i], sorted[ranks[i]]) << "shape " << shape << " rank " << ranks[i];
    const auto d = *summarize(values);
    EXPECT_EQ(d.min, sorted.front());
    EXPECT_EQ(d.max, sorted.back());
    EXPECT_DOUBLE_EQ(d.p50, percentile_sorted(sorted, 50)) << shape;
    EXPECT_DOUBLE_EQ(d.p90, percentile_sorted(sorted, 90)) << shape;
    EXPECT_DOUBLE_EQ(d.p99, percentile_sorted(sorted, 99)) << shape;
  }
}

TEST(Summarize, EmptyIsNotMeasured) {
  EXPECT_FALSE(summarize({}).has_value());
}

TEST(TrialEstimate, SampleStdAndStudentTInterval) {
  const std::vector<double> trials{10, 12, 14};
  const auto e = estimate_over_trials(trials);
  ASSERT_TRUE(e);
  EXPECT_DOUBLE_EQ(e->mean, 12);
  ASSERT_TRUE(e->std);
  EXPECT_DOUBLE_EQ(*e->std, 2);
  // t(0.975, df=2) = 4.302652729911275; half width = t * 2 / sqrt(3)
  EXPECT_NEAR(*e->ci95_low, 12 - 4.968275, 1e-5);
  EXPECT_NEAR(*e->ci95_high, 12 + 4.968275, 1e-5);
}

TEST(TrialEstimate, OneTrialHasNoSpread) {
  const std::vector<double> trials{7};
  const auto e = estimate_over_trials(trials);
  ASSERT_TRUE(e);
  EXPECT_DOUBLE_EQ(e->mean, 7);
  EXPECT_FALSE(e->std);
  EXPECT_FALSE(e->ci95_low);
}

}  // namespace
}  // namespace servemeter
