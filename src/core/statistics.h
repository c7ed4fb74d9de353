#pragma once
#include <cstddef>
#include <optional>
#include <span>
#include <vector>

namespace servemeter {

// numpy.percentile's default: linear interpolation between closest ranks. `sorted` must be
// ascending and non-empty; q in [0, 100].
double percentile_sorted(std::span<const double> sorted, double q);

// Distribution summary of one metric over the successful requests of a run.
struct Distribution {
  std::size_t count = 0;
  double mean = 0, std = 0, min = 0, max = 0;  // std: population (numpy's default, as vLLM)
  double p50 = 0, p90 = 0, p95 = 0, p99 = 0;
};

// The ranks numpy's linear interpolation reads for the p50, p90, p95 and p99 of n sorted values
// (n > 0): floor(q/100·(n−1)) and the one after it, ascending and distinct.
std::vector<std::size_t> percentile_ranks(std::size_t n);
// Those percentiles of `d`, from the values at those ranks (`value_at(rank)`).
template <class ValueAt>
void set_percentiles(Distribution& d, std::size_t n, ValueAt&& value_at) {
  const auto percentile = [&](double q) {
    const double rank = q / 100.0 * (static_cast<double>(n) - 1);
    const auto lower = static_cast<std::size_t>(rank);
    const std::size_t upper = lower + 1 < n ? lower + 1 : n - 1;
    const double fraction = rank - static_cast<double>(lower);
    return value_at(lower) + (value_at(upper) - value_at(lower)) * fraction;
  };
  d.p50 = percentile(50);
  d.p90 = percentile(90);
  d.p95 = percentile(95);
  d.p99 = percentile(99);
}

// Empty input gives nullopt: a metric with no samples is not measured, never 0.
std::optional<Distribution> summarize(std::vector<double> values);
// The same without copying; the values must be finite. Large inputs (inter-token gaps: millions
// of values) take their percentiles by radix selection, in two passes: the same numbers as
// sorting gives, in linear time.
std::optional<Distribution> summarize_values(std::span<const double> values);

// The values at the given 0-based ranks of `values` in ascending order (each rank < size;
// `ranks` ascending), without sorting: what sorted[rank] would be.
std::vector<double> order_statistics(std::span<const double> values,
                                     std::span<const std::size_t> ranks);

// Mean ± sample std over trials with a two-sided 95% Student-t confidence interval.
struct TrialEstimate {
  std::size_t trials = 0;
  double mean = 0;
  std::optional<double> std;  // sample std (n-1); nullopt with one trial
  std::optional<double> ci95_low, ci95_high;
};

std::optional<TrialEstimate> estimate_over_trials(std::span<const double> per_trial);

}  // namespace servemeter
