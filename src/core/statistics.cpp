#include "core/statistics.h"

#include <algorithm>
#include <bit>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <cstdint>
#include <numeric>

namespace servemeter {

std::vector<std::size_t> percentile_ranks(std::size_t n) {
  std::vector<std::size_t> ranks;
  for (const double q : {50.0, 90.0, 95.0, 99.0}) {
    const auto lower = static_cast<std::size_t>(q / 100.0 * (static_cast<double>(n) - 1));
    ranks.push_back(lower);
    ranks.push_back(std::min(lower + 1, n - 1));
  }
  std::sort(ranks.begin(), ranks.end());
  ranks.erase(std::unique(ranks.begin(), ranks.end()), ranks.end());
  return ranks;
}

double percentile_sorted(std::span<const double> sorted, double q) {
  const double rank = q / 100.0 * static_cast<double>(sorted.size() - 1);
  const auto lower = static_cast<std::size_t>(std::floor(rank));
  const std::size_t upper = std::min(lower + 1, sorted.size() - 1);
  const double fraction = rank - static_cast<double>(lower);
  return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction;
}

namespace {

// Doubles as unsigned integers that sort the same way (NaN excluded): the sign bit set for
// positives, every bit flipped for negatives.
std::uint64_t order_key(double v) {
  const auto bits = std::bit_cast<std::uint64_t>(v);
  return (bits >> 63) != 0 ? ~bits : bits | (std::uint64_t{1} << 63);
}

constexpr int kRadixBits = 12;            // 4,096 buckets: the counts stay in the L1 cache
constexpr std::size_t kSortBelow = 2048;  // small inputs are simply sorted

}  // namespace

namespace {

// Selection by the high bits of the order key: a count per key range between the smallest and
// the largest value, then, for the ranks asked, the values of their ranges only.
class RadixSelect {
 public:
  RadixSelect(double smallest, double largest)
      : low_(order_key(smallest)),
        shift_(shift_for(order_key(largest) - low_)),
        counts_(static_cast<std::size_t>((order_key(largest) - low_) >> shift_) + 1, 0) {}

  void count(double v) { ++counts_[bucket(v)]; }

  // `ranks` ascending; every value must have been counted.
  std::vector<double> select(std::span<const double> values, std::span<const std::size_t> ranks) {
    std::vector<std::size_t> bucket_of(ranks.size()), rank_in(ranks.size());
    std::size_t b = 0, before = 0;
    for (std::size_t i = 0; i < ranks.size(); ++i) {
      while (before + counts_[b] <= ranks[i]) before += counts_[b++];
      bucket_of[i] = b;
      rank_in[i] = ranks[i] - before;
    }
    std::vector<int> slot(counts_.size(), -1);
    std::vector<std::vector<double>> held;
    for (const std::size_t k : bucket_of)
      if (slot[k] < 0) {
        slot[k] = static_cast<int>(held.size());
        held.emplace_back().reserve(counts_[k]);
      }
    for (const double v : values)
      if (const int s = slot[bucket(v)]; s >= 0) held[static_cast<std::size_t>(s)].push_back(v);
    std::vector<double> out(ranks.size());
    for (std::size_t i = 0; i < ranks.size(); ++i) {
      auto& in = held[static_cast<std::size_t>(slot[bucket_of[i]])];
      const auto at = in.begin() + static_cast<std::ptrdiff_t>(rank_in[i]);
      std::nth_element(in.begin(), at, in.end());
      out[i] = *at;
    }
    return out;
  }

 private:
  static int shift_for(std::uint64_t span) {
    return std::max(0, static_cast<int>(std::bit_width(span)) - kRadixBits);
  }
  std::size_t bucket(double v) const {
    return static_cast<std::size_t>((order_key(v) - low_) >> shift_);
  }

  std::uint64_t low_;
  int shift_;
  std::vector<std::uint32_t> counts_;
};

struct Moments {
  double sum = 0, smallest = 0, largest = 0;
};

// Not inlined: inlined, GCC 12 keeps the running minimum and maximum on the stack (a store and
// a load per value).
[[gnu::noinline]] Moments sum_and_range(std::span<const double> values) {
  double sum = 0, smallest = values.front(), largest = values.front();
  for (const double v : values) {
    sum += v;
    smallest = v < smallest ? v : smallest;
    largest = v > largest ? v : largest;
  }
  return {sum, smallest, largest};
}

// Small inputs: a partial sort per rank, each on what lies above the rank before it (a few
// passes over a few hundred values, where sorting them all took several times longer).
std::vector<double> sorted_order_statistics(std::span<const double> values,
                                            std::span<const std::size_t> ranks) {
  std::vector<double> copy(values.begin(), values.end());
  std::vector<double> out(ranks.size());
  auto from = copy.begin();
  for (std::size_t i = 0; i < ranks.size(); ++i) {
    const auto at = copy.begin() + static_cast<std::ptrdiff_t>(ranks[i]);
    if (at >= from) {
      std::nth_element(from, at, copy.end());
      from = at + 1;
    }
    out[i] = *at;
  }
  return out;
}

}  // namespace

std::vector<double> order_statistics(std::span<const double> values,
                                     std::span<const std::size_t> ranks) {
  if (ranks.empty() || values.empty()) return std::vector<double>(ranks.size());
  if (values.size() < kSortBelow) return sorted_order_statistics(values, ranks);
  const auto [low, high] = std::minmax_element(values.begin(), values.end());
  RadixSelect select(*low, *high);
  for (const double v : values) select.count(v);
  return select.select(values, ranks);
}

std::optional<Distribution> summarize_values(std::span<const double> values) {
  if (values.empty()) return std::nullopt;
  Distribution d;
  d.count = values.size();
  const double n = static_cast<double>(values.size());
  // Three passes whatever the size: sum and range; squares and range counts; the selection.
  const Moments first = sum_and_range(values);
  d.min = first.smallest;
  d.max = first.largest;
  d.mean = first.sum / n;
  std::optional<RadixSelect> select;
  if (values.size() >= kSortBelow) select.emplace(d.min, d.max);
  double squares = 0;
  if (select) {
    for (const double v : values) {
      squares += (v - d.mean) * (v - d.mean);
      select->count(v);
    }
  } else {
    for (const double v : values) squares += (v - d.mean) * (v - d.mean);
  }
  d.std = std::sqrt(squares / n);
  const std::vector<std::size_t> ranks = percentile_ranks(values.size());
  const std::vector<double> at =
      select ? select->select(values, ranks) : sorted_order_statistics(values, ranks);
  set_percentiles(d, values.size(), [&](std::size_t rank) {
    return at[static_cast<std::size_t>(std::lower_bound(ranks.begin(), ranks.end(), rank) -
                                       ranks.begin())];
  });
  return d;
}

std::optional<Distribution> summarize(std::vector<double> values) {
  return summarize_values(values);
}

std::optional<TrialEstimate> estimate_over_trials(std::span<const double> per_trial) {
  if (per_trial.empty()) return std::nullopt;
  TrialEstimate e;
  e.trials = per_trial.size();
  const double n = static_cast<double>(per_trial.size());
  e.mean = std::accumulate(per_trial.begin(), per_trial.end(), 0.0) / n;
  if (per_trial.size() < 2) return e;
  double squares = 0;
  for (double v : per_trial) squares += (v - e.mean) * (v - e.mean);
  e.std = std::sqrt(squares / (n - 1));
  const boost::math::students_t t(n - 1);
  const double half_width =
      boost::math::quantile(boost::math::complement(t, 0.025)) * *e.std / std::sqrt(n);
  e.ci95_low = e.mean - half_width;
  e.ci95_high = e.mean + half_width;
  return e;
}

}  // namespace servemeter
