#include "report/chart_scale.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace servemeter {
namespace {

std::vector<std::string> labels(const AxisTicks& t) {
  std::vector<std::string> out;
  for (const Tick& tick : t.ticks) out.push_back(tick.label);
  return out;
}

TEST(LinearTicks, OneTwoFiveStepsCoverTheData) {
  const AxisTicks t = linear_ticks(0, 97, 5);  // raw step 19.4 → 20
  EXPECT_DOUBLE_EQ(t.min, 0);
  EXPECT_DOUBLE_EQ(t.max, 100);
  EXPECT_EQ(labels(t), (std::vector<std::string>{"0", "20", "40", "60", "80", "100"}));

  const AxisTicks small = linear_ticks(0, 1.1, 5);  // raw 0.22 → 0.5
  EXPECT_EQ(labels(small), (std::vector<std::string>{"0.0", "0.5", "1.0", "1.5"}));

  const AxisTicks fine = linear_ticks(0.1, 0.3, 4);  // 0.05 steps, no 0.30000000000000004
  EXPECT_EQ(fine.ticks.front().label, "0.10");
  EXPECT_EQ(fine.ticks.back().label, "0.30");
  EXPECT_EQ(fine.ticks.size(), 5u);
}

TEST(LinearTicks, NegativeRangeAndThousands) {
  const AxisTicks t = linear_ticks(-37, 12400, 6);  // raw 2072.8 → 5000
  EXPECT_DOUBLE_EQ(t.min, -5000);
  EXPECT_DOUBLE_EQ(t.max, 15000);
  EXPECT_EQ(labels(t), (std::vector<std::string>{"-5,000", "0", "5,000", "10,000", "15,000"}));
}

TEST(LinearTicks, MillionsAreShortened) {
  const AxisTicks t = linear_ticks(0, 3.4e6, 7);  // raw 485,714 → 500,000
  EXPECT_EQ(t.ticks[1].label, "0.5M");
  EXPECT_EQ(t.ticks.back().label, "3.5M");
}

TEST(LinearTicks, DegenerateRangesStillHaveTicks) {
  const AxisTicks zero = linear_ticks(0, 0, 5);
  EXPECT_DOUBLE_EQ(zero.min, 0);
  EXPECT_DOUBLE_EQ(zero.max, 1);
  const AxisTicks single = linear_ticks(42, 42, 5);
  EXPECT_LT(single.min, 42);
  EXPECT_GT(single.max, 42);
  EXPECT_GE(single.ticks.size(), 3u);
  const AxisTicks negative = linear_ticks(-8, -8, 5);
  EXPECT_LT(negative.min, -8);
  EXPECT_GE(negative.max, -8);
}

TEST(Log2Ticks, PowersOfTwoForConcurrency) {
  const AxisTicks t = log2_ticks(1, 64, 10);
  EXPECT_DOUBLE_EQ(t.min, 0);
  EXPECT_DOUBLE_EQ(t.max, 6);
  EXPECT_EQ(labels(t), (std::vector<std::string>{"1", "2", "4", "8", "16", "32", "64"}));
  const AxisTicks between = log2_ticks(3, 48, 10);  // covers 2..64
  EXPECT_EQ(between.ticks.front().label, "2");
  EXPECT_EQ(between.ticks.back().label, "64");
}

TEST(Log2Ticks, WideRangesSkipPowersAndFractionsShow) {
  const AxisTicks wide = log2_ticks(1, 4096, 5);  // 12 doublings in ≤ 5 ticks: every third
  EXPECT_EQ(labels(wide), (std::vector<std::string>{"1", "8", "64", "512", "4,096"}));
  const AxisTicks fractions = log2_ticks(0.25, 2, 10);
  EXPECT_EQ(labels(fractions), (std::vector<std::string>{"0.25", "0.5", "1", "2"}));
  const AxisTicks one = log2_ticks(8, 8, 10);
  EXPECT_EQ(labels(one), (std::vector<std::string>{"4", "8", "16"}));
}

}  // namespace
}  // namespace servemeter
