#include "analysis/saturation.h"

#include <gtest/gtest.h>

#include <vector>

namespace servemeter {
namespace {

using std::vector;

// Throughput (tok/s) and mean latency (ms) of a server that saturates between 16 and 32 clients:
// 16 → 32 adds 4.2%, 32 → 64 adds 0.8%, while latency climbs 80 → 150 → 300.
const vector<LoadPoint> kSaturating{
    {1, 100, 50}, {8, 700, 60}, {16, 1200, 80}, {32, 1250, 150}, {64, 1260, 300}};

TEST(Saturation, FindsTheLevelWhereThroughputStopsGrowing) {
  const auto s = find_saturation(kSaturating);
  ASSERT_TRUE(s) << s.reason();
  EXPECT_DOUBLE_EQ(s->concurrency, 16);
  EXPECT_EQ(s->index, 2u);
  EXPECT_DOUBLE_EQ(s->next_concurrency, 32);
  EXPECT_NEAR(s->throughput_growth, 50.0 / 1200, 1e-12);
  EXPECT_NEAR(s->latency_growth, 70.0 / 80, 1e-12);
}

TEST(Saturation, ThresholdIsConfigurable) {
  // At 3%, the 4.2% step still counts as growth; the flat tail starts at 32.
  const auto s = find_saturation(kSaturating, 0.03);
  ASSERT_TRUE(s) << s.reason();
  EXPECT_DOUBLE_EQ(s->concurrency, 32);
}

TEST(Saturation, NotReachedWhileThroughputStillGrows) {
  const vector<LoadPoint> growing{{1, 100, 50}, {8, 700, 55}, {16, 1200, 60}, {32, 1500, 70}};
  const auto s = find_saturation(growing);
  ASSERT_FALSE(s);
  EXPECT_NE(s.reason().find("not reached"), std::string::npos) << s.reason();
  EXPECT_NE(s.reason().find("+25%"), std::string::npos) << s.reason();
  EXPECT_NE(s.reason().find("from concurrency 16 to 32"), std::string::npos) << s.reason();
}

TEST(Saturation, AnEarlyPlateauFollowedByGrowthIsNotSaturation) {
  // 1 → 2 is flat (noise), 2 → 4 triples; only the tail from 4 on is flat.
  const vector<LoadPoint> points{{1, 100, 10}, {2, 105, 11}, {4, 300, 12}, {8, 310, 20}};
  const auto s = find_saturation(points);
  ASSERT_TRUE(s) << s.reason();
  EXPECT_DOUBLE_EQ(s->concurrency, 4);
}

TEST(Saturation, FlatThroughputWithoutRisingLatencyIsNotSaturation) {
  const vector<LoadPoint> points{{1, 100, 10}, {2, 200, 10}, {4, 201, 10}, {8, 202, 10}};
  const auto s = find_saturation(points);
  ASSERT_FALSE(s);
  EXPECT_NE(s.reason().find("latency does not keep rising"), std::string::npos) << s.reason();
}

TEST(Saturation, LatencyMustRiseOutOfTheSaturationLevel) {
  // Flat from 2 on, but latency dips 2 → 4 before rising; the saturation point is 4.
  const vector<LoadPoint> points{{1, 100, 10}, {2, 200, 12}, {4, 205, 11}, {8, 206, 30}};
  const auto s = find_saturation(points);
  ASSERT_TRUE(s) << s.reason();
  EXPECT_DOUBLE_EQ(s->concurrency, 4);
}

TEST(Saturation, ThroughputFromZeroCountsAsGrowth) {
  const vector<LoadPoint> points{{1, 0, 10}, {2, 50, 11}, {4, 51, 20}};
  const auto s = find_saturation(points);
  ASSERT_TRUE(s) << s.reason();
  EXPECT_DOUBLE_EQ(s->concurrency, 2);
}

TEST(Saturation, BadInputHasAReason) {
  const vector<LoadPoint> one{{1, 100, 10}};
  EXPECT_NE(find_saturation(one).reason().find("at least 2"), std::string::npos);
  const vector<LoadPoint> unsorted{{8, 100, 10}, {4, 120, 12}};
  EXPECT_NE(find_saturation(unsorted).reason().find("sort the points"), std::string::npos);
  const vector<LoadPoint> zero_latency{{1, 100, 0}, {2, 120, 12}};
  EXPECT_NE(find_saturation(zero_latency).reason().find("latency 0"), std::string::npos);
  EXPECT_FALSE(find_saturation(kSaturating, -0.1));
}

}  // namespace
}  // namespace servemeter
