#include "core/statistics.h"

#include <algorithm>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <numeric>

namespace servemeter {

double percentile_sorted(std::span<const double> sorted, double q) {
  const double rank = q / 100.0 * static_cast<double>(sorted.size() - 1);
  const auto lower = static_cast<std::size_t>(std::floor(rank));
  const std::size_t upper = std::min(lower + 1, sorted.size() - 1);
  const double fraction = rank - static_cast<double>(lower);
  return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction;
}

std::optional<Distribution> summarize(std::vector<double> values) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  Distribution d;
  d.count = values.size();
  const double n = static_cast<double>(values.size());
  d.mean = std::accumulate(values.begin(), values.end(), 0.0) / n;
  double squares = 0;
  for (double v : values) squares += (v - d.mean) * (v - d.mean);
  d.std = std::sqrt(squares / n);
  d.min = values.front();
  d.max = values.back();
  d.p50 = percentile_sorted(values, 50);
  d.p90 = percentile_sorted(values, 90);
  d.p95 = percentile_sorted(values, 95);
  d.p99 = percentile_sorted(values, 99);
  return d;
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
