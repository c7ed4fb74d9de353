#include "core/duration_set.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "core/sample_set.h"

namespace servemeter {
namespace {

// What every summary is held to: a SampleSet of the same values converted one by one as the
// figures always were (ns / 1e6 × time scale). Percentiles, min and max must be the same doubles;
// mean and std come from integer sums here and from doubles there, so they agree to rounding.
void expect_same(const std::optional<Distribution>& got, const std::optional<Distribution>& want) {
  ASSERT_EQ(got.has_value(), want.has_value());
  if (!got) return;
  EXPECT_EQ(got->count, want->count);
  EXPECT_EQ(got->min, want->min);
  EXPECT_EQ(got->max, want->max);
  EXPECT_EQ(got->p50, want->p50);
  EXPECT_EQ(got->p90, want->p90);
  EXPECT_EQ(got->p95, want->p95);
  EXPECT_EQ(got->p99, want->p99);
  EXPECT_NEAR(got->mean, want->mean, 1e-12 * std::abs(want->mean) + 1e-15);
  EXPECT_NEAR(got->std, want->std, 1e-9 * std::abs(want->std) + 1e-12);
}

std::vector<std::int64_t> gaps(std::mt19937_64& rng, std::size_t n, std::int64_t largest) {
  std::lognormal_distribution<double> ms(std::log(20.0), 0.6);
  std::vector<std::int64_t> out;
  for (std::size_t i = 0; i < n; ++i) {
    switch (rng() % 10) {
      case 0:  // tokens that came in one read: a few microseconds, or none
        out.push_back(static_cast<std::int64_t>(rng() % 5000));
        break;
      case 1:  // the bottom of the scale, where each value is its own bucket
        out.push_back(static_cast<std::int64_t>(rng() % 600));
        break;
      default:
        out.push_back(std::min<std::int64_t>(static_cast<std::int64_t>(ms(rng) * 1e6), largest));
    }
  }
  return out;
}

std::vector<std::int64_t> stamps_of(const std::vector<std::int64_t>& gap_values) {
  std::vector<std::int64_t> stamps{1'000'000'000};
  for (const auto g : gap_values) stamps.push_back(stamps.back() + g);
  return stamps;
}

SampleSet reference(const std::vector<std::int64_t>& values, double scale,
                    std::size_t limit = std::size_t{1} << 24) {
  SampleSet s(limit);
  for (const auto v : values) s.add(static_cast<double>(v) / 1e6 * scale);
  return s;
}

TEST(DurationSet, SummaryIsWhatTheConvertedValuesGive) {
  std::mt19937_64 rng(1);
  for (const double scale : {1.0, 50.0}) {
    for (const std::size_t n : {1u, 2u, 7u, 255u, 5000u, 60000u}) {
      const auto values = gaps(rng, n, std::int64_t{1} << 35);
      DurationSet set(scale);
      set.add_gaps(stamps_of(values));
      EXPECT_EQ(set.count(), n);
      EXPECT_TRUE(set.exact());
      expect_same(set.summarize(), reference(values, scale).summarize());
    }
  }
}

TEST(DurationSet, EmptyIsNotMeasured) {
  DurationSet set;
  EXPECT_FALSE(set.summarize());
  set.add_gaps(std::vector<std::int64_t>{5});  // one stamp: no gap
  EXPECT_FALSE(set.summarize());
  std::optional<Distribution> pooled = Distribution{};
  const DurationSet* sets[] = {&set};
  EXPECT_FALSE(DurationSet::summarize_each(sets, &pooled).front());
  EXPECT_FALSE(pooled);
}

// A cell's trials: each trial's own summary and the pool of all of them, from one pass.
TEST(DurationSet, EachSetAndThePoolAreWhatOneSetOfTheirValuesGives) {
  std::mt19937_64 rng(2);
  std::vector<DurationSet> trials;
  std::vector<std::int64_t> all;
  std::vector<std::vector<std::int64_t>> per_trial;
  for (int t = 0; t < 5; ++t) {
    DurationSet set(10.0);
    per_trial.emplace_back();
    for (int request = 0; request < 40; ++request) {
      const auto values = gaps(rng, 1 + rng() % 300, std::int64_t{1} << 33);
      set.add_gaps(stamps_of(values));
      per_trial.back().insert(per_trial.back().end(), values.begin(), values.end());
      all.insert(all.end(), values.begin(), values.end());
    }
    trials.push_back(std::move(set));
  }
  trials.emplace_back(10.0);  // a trial that measured no gap
  per_trial.emplace_back();
  std::vector<const DurationSet*> sets;
  for (const auto& s : trials) sets.push_back(&s);
  std::optional<Distribution> pooled;
  const auto each = DurationSet::summarize_each(sets, &pooled);
  for (std::size_t i = 0; i < trials.size(); ++i) {
    expect_same(each[i], reference(per_trial[i], 10.0).summarize());
    expect_same(each[i], trials[i].summarize());
  }
  expect_same(pooled, reference(all, 10.0).summarize());
  EXPECT_TRUE(DurationSet::all_exact(sets));
}

// Past its bound a set folds exactly as a SampleSet of the same bound does, and a pool with a
// folded set in it is the merged histogram.
TEST(DurationSet, FoldsWhereASampleSetOfTheSameBoundFolds) {
  std::mt19937_64 rng(3);
  const auto first = gaps(rng, 3000, std::int64_t{1} << 32);
  const auto second = gaps(rng, 500, std::int64_t{1} << 32);
  DurationSet big(1.0, 1000), small(1.0, 1000);
  big.add_gaps(stamps_of(first));
  small.add_gaps(stamps_of(second));
  EXPECT_FALSE(big.exact());
  EXPECT_TRUE(small.exact());
  const auto want_big = reference(first, 1.0, 1000).summarize();
  const auto got_big = big.summarize();
  ASSERT_TRUE(got_big && want_big);
  EXPECT_EQ(got_big->p99, want_big->p99);
  EXPECT_EQ(got_big->mean, want_big->mean);
  EXPECT_EQ(got_big->count, 3000u);

  const DurationSet* sets[] = {&big, &small};
  std::optional<Distribution> pooled;
  DurationSet::summarize_each(sets, &pooled);
  EXPECT_FALSE(DurationSet::all_exact(sets));
  SampleSet merged = reference(first, 1.0, 1000);
  merged.merge(reference(second, 1.0, 1000));
  const auto want = merged.summarize();
  ASSERT_TRUE(pooled && want);
  EXPECT_EQ(pooled->count, 3500u);
  EXPECT_NEAR(pooled->p50, want->p50, 0.002 * want->p50);
  EXPECT_NEAR(pooled->mean, want->mean, 1e-9 * want->mean);
}

// Stamps out of order give negative gaps (never from the clock or the log, but a set must not
// get them wrong), and gaps of 2^40 ns and more leave the integer sums for doubles.
TEST(DurationSet, NegativeAndHugeGapsAreSummarisedAsTheValuesAre) {
  const std::vector<std::int64_t> negative = {5'000'000, -3'000'000, 0, 7, -1, 20'000'000};
  DurationSet set;
  set.add_gaps(stamps_of(negative));
  expect_same(set.summarize(), reference(negative, 1.0).summarize());

  std::mt19937_64 rng(4);
  auto huge = gaps(rng, 3000, std::int64_t{1} << 35);
  huge[17] = std::int64_t{1} << 50;
  huge[2000] = (std::int64_t{1} << 45) + 12345;
  DurationSet big;
  big.add_gaps(stamps_of(huge));
  expect_same(big.summarize(), reference(huge, 1.0).summarize());

  // Sums of gaps near 2^62 wrap; pooled, they must not overflow (UBSan, found by fuzzing).
  const std::vector<std::int64_t> giant = {std::int64_t{1} << 62, std::int64_t{1} << 61};
  std::vector<std::int64_t> stamps = {0};
  for (const auto g : giant) stamps.push_back(stamps.back() + g);
  DurationSet first, second;
  first.add_gaps(stamps);
  second.add_gaps(stamps);
  const DurationSet* sets[] = {&first, &second};
  std::optional<Distribution> pooled;
  DurationSet::summarize_each(sets, &pooled);
  std::vector<std::int64_t> all = giant;
  all.insert(all.end(), giant.begin(), giant.end());
  expect_same(pooled, reference(all, 1.0).summarize());
}

// The vector code (where the CPU has AVX-512) and the portable code count, sum and select alike.
TEST(DurationSet, VectorAndPortableCodeGiveTheSameSummaries) {
  std::mt19937_64 rng(5);
  for (int round = 0; round < 200; ++round) {
    const auto values = gaps(rng, rng() % 700, std::int64_t{1} << 39);
    DurationSet fast(3.0), portable(3.0);
    fast.add_gaps(stamps_of(values));
    const auto a = fast.summarize();
    DurationSet::prefer_portable_code(true);
    portable.add_gaps(stamps_of(values));
    const auto b = portable.summarize();
    DurationSet::prefer_portable_code(false);
    ASSERT_EQ(a.has_value(), b.has_value());
    if (!a) continue;
    EXPECT_EQ(a->mean, b->mean);
    EXPECT_EQ(a->std, b->std);
    EXPECT_EQ(a->p50, b->p50);
    EXPECT_EQ(a->p99, b->p99);
  }
}

TEST(DurationSet, AClearedSetSummarisesOnlyWhatCameAfter) {
  std::mt19937_64 rng(6);
  DurationSet set(1.0);
  set.add_gaps(stamps_of(gaps(rng, 4000, std::int64_t{1} << 38)));
  set.clear(2.0);
  EXPECT_EQ(set.count(), 0u);
  EXPECT_FALSE(set.summarize());
  const auto values = gaps(rng, 900, std::int64_t{1} << 30);
  set.add_gaps(stamps_of(values));
  expect_same(set.summarize(), reference(values, 2.0).summarize());
}

}  // namespace
}  // namespace servemeter
