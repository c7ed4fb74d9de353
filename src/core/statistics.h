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
