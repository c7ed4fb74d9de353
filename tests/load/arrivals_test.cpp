#include "load/arrivals.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace servemeter::load {
namespace {

struct GapStats {
  double mean_s;
  double cv;  // std / mean
};

GapStats gap_stats(const std::vector<std::int64_t>& offsets) {
  double sum = 0;
  double sum2 = 0;
  const auto n = static_cast<double>(offsets.size() - 1);
  for (std::size_t i = 1; i < offsets.size(); ++i) {
    const double g = static_cast<double>(offsets[i] - offsets[i - 1]) / 1e9;
    sum += g;
    sum2 += g * g;
  }
  const double mean = sum / n;
  const double var = sum2 / n - mean * mean;
  return {mean, std::sqrt(var) / mean};
}

TEST(Arrivals, PoissonMeanGapIsOneOverRate) {
  const auto offsets = arrival_offsets_ns(20'001, 100.0, 1.0, 42);
  ASSERT_EQ(offsets.size(), 20'001u);
  EXPECT_EQ(offsets[0], 0);
  const auto s = gap_stats(offsets);
  EXPECT_NEAR(s.mean_s, 0.010, 0.010 * 0.03);
  EXPECT_NEAR(s.cv, 1.0, 0.05);  // exponential gaps: std = mean
}

TEST(Arrivals, BurstinessChangesVarianceNotMean) {
  // Gamma(shape k): CV = 1/sqrt(k). k = 0.25 → 2, k = 4 → 0.5.
  const auto bursty = gap_stats(arrival_offsets_ns(20'001, 50.0, 0.25, 7));
  const auto smooth = gap_stats(arrival_offsets_ns(20'001, 50.0, 4.0, 7));
  EXPECT_NEAR(bursty.mean_s, 0.020, 0.020 * 0.08);
  EXPECT_NEAR(smooth.mean_s, 0.020, 0.020 * 0.03);
  EXPECT_NEAR(bursty.cv, 2.0, 0.2);
  EXPECT_NEAR(smooth.cv, 0.5, 0.05);
}

TEST(Arrivals, SeededAndMonotonic) {
  const auto a = arrival_offsets_ns(1000, 10.0, 1.0, 1);
  const auto b = arrival_offsets_ns(1000, 10.0, 1.0, 1);
  const auto c = arrival_offsets_ns(1000, 10.0, 1.0, 2);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  for (std::size_t i = 1; i < a.size(); ++i) EXPECT_GE(a[i], a[i - 1]);
}

TEST(Arrivals, InfiniteRateSendsAllAtOnce) {
  const auto offsets = arrival_offsets_ns(10, std::numeric_limits<double>::infinity(), 1.0, 3);
  for (auto o : offsets) EXPECT_EQ(o, 0);
}

TEST(Arrivals, RejectsBadParameters) {
  EXPECT_THROW(arrival_offsets_ns(10, 0.0, 1.0, 1), std::invalid_argument);
  EXPECT_THROW(arrival_offsets_ns(10, -5.0, 1.0, 1), std::invalid_argument);
  EXPECT_THROW(arrival_offsets_ns(10, 5.0, 0.0, 1), std::invalid_argument);
}

}  // namespace
}  // namespace servemeter::load
