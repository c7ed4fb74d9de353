#include "core/sample_set.h"

#include <gtest/gtest.h>

#include <random>

namespace servemeter {
namespace {

TEST(SampleSet, ExactWhileSmallMatchesNumpyPercentiles) {
  SampleSet s;
  for (double v : {1.0, 2.0, 3.0, 4.0}) s.add(v);
  const auto d = s.summarize();
  ASSERT_TRUE(d);
  EXPECT_TRUE(s.exact());
  EXPECT_DOUBLE_EQ(d->p50, 2.5);  // numpy.percentile([1,2,3,4], 50)
  EXPECT_DOUBLE_EQ(d->p90, 3.7);  // numpy.percentile([1,2,3,4], 90)
  EXPECT_DOUBLE_EQ(d->mean, 2.5);
}

TEST(SampleSet, EmptyIsNotMeasured) {
  EXPECT_FALSE(SampleSet().summarize());
}

TEST(SampleSet, FoldedKeepsMomentsExactAndPercentilesWithinATenthOfAPercent) {
  SampleSet folded(1000);
  SampleSet exact(1'000'000);
  std::mt19937_64 rng(3);
  std::lognormal_distribution<double> latency(3.0, 0.8);
  for (int i = 0; i < 200'000; ++i) {
    const double v = latency(rng);
    folded.add(v);
    exact.add(v);
  }
  EXPECT_FALSE(folded.exact());
  const auto f = *folded.summarize();
  const auto e = *exact.summarize();
  EXPECT_EQ(f.count, e.count);
  EXPECT_NEAR(f.mean, e.mean, 1e-9 * e.mean);
  EXPECT_NEAR(f.std, e.std, 1e-6 * e.std);
  EXPECT_DOUBLE_EQ(f.min, e.min);
  EXPECT_DOUBLE_EQ(f.max, e.max);
  for (const auto& [got, want] :
       {std::pair{f.p50, e.p50}, {f.p90, e.p90}, {f.p95, e.p95}, {f.p99, e.p99}})
    EXPECT_NEAR(got, want, 0.0015 * want);
  EXPECT_TRUE(folded.values().empty());  // the exact values were released
}

TEST(SampleSet, ZeroAndNonFiniteValues) {
  SampleSet s(2);
  s.add(0.0);
  s.add(std::nan(""));
  s.add(0.0);
  s.add(5.0);
  const auto d = *s.summarize();
  EXPECT_EQ(d.count, 3u);
  EXPECT_DOUBLE_EQ(d.min, 0.0);
  EXPECT_DOUBLE_EQ(d.p50, 0.0);
}

}  // namespace
}  // namespace servemeter
