#include "analysis/pairwise_differences.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace servemeter {
namespace {

using std::vector;

// Every order statistic of the differences, from listing and sorting them all.
vector<double> all_sorted_differences(const vector<double>& a, const vector<double>& b) {
  vector<double> d;
  for (double x : a)
    for (double y : b) d.push_back(x - y);
  std::sort(d.begin(), d.end());
  return d;
}

// A deterministic scramble of values with many ties (multiples of 0.5) and a few distinct ones.
vector<double> sample(int n, int seed) {
  vector<double> v;
  std::uint32_t state = static_cast<std::uint32_t>(seed) * 2654435761u + 1;
  for (int i = 0; i < n; ++i) {
    state = state * 1664525u + 1013904223u;
    const double x = static_cast<double>(state >> 24) / 8.0;
    v.push_back(i % 7 == 0 ? x + 0.001 * i : std::round(x) / 2);
  }
  std::sort(v.begin(), v.end());
  return v;
}

TEST(KthSmallestDifference, BisectionAgreesWithSortingEverything) {
  for (int seed = 1; seed <= 4; ++seed) {
    const vector<double> a = sample(37 + seed, seed), b = sample(23 + 3 * seed, seed + 10);
    const vector<double> expected = all_sorted_differences(a, b);
    for (std::uint64_t k = 1; k <= expected.size(); k += 7) {
      // materialize_limit 0 forces the bisection path for every k.
      EXPECT_EQ(kth_smallest_difference(a, b, k, 0), expected[k - 1])
          << "seed " << seed << " k " << k;
      EXPECT_EQ(kth_smallest_difference(a, b, k), expected[k - 1]);
    }
    EXPECT_EQ(kth_smallest_difference(a, b, expected.size(), 0), expected.back());
  }
}

TEST(KthSmallestDifference, AllDifferencesTied) {
  const vector<double> a(50, 3.0), b(40, 1.0);
  EXPECT_EQ(kth_smallest_difference(a, b, 1, 0), 2.0);
  EXPECT_EQ(kth_smallest_difference(a, b, 1000, 0), 2.0);
  EXPECT_EQ(kth_smallest_difference(a, b, 2000, 0), 2.0);
}

TEST(KthSmallestDifference, HeavyTiesAcrossTwoValues) {
  // a: 60 × 0 and 40 × 1; b: 100 × 0. Differences: 6,000 zeros then 4,000 ones; the bisection
  // must stop on adjacent doubles rather than list 4,000 tied values one bisection at a time.
  vector<double> a(60, 0.0), b(100, 0.0);
  a.insert(a.end(), 40, 1.0);
  EXPECT_EQ(kth_smallest_difference(a, b, 6000, 0), 0.0);
  EXPECT_EQ(kth_smallest_difference(a, b, 6001, 0), 1.0);
}

}  // namespace
}  // namespace servemeter
