#pragma once
// The comparisons the hypotheses are made of, from two samples to a TestedComparison with its
// test, p-value and effect sizes (Holm and the outcome come later, in judge()):
//   per request — Mann–Whitney U (latencies are skewed and heavy-tailed; no normality assumed),
//     the ratio as the Hodges–Lehmann estimate on the log scale (the median of all pairwise
//     ratios a_i/b_j) with its interval, and the Hodges–Lehmann shift a − b in the metric's unit;
//   per trial — Welch's t (one value per trial: throughput, growth factors), the ratio of means
//     with its delta-method interval, and Hedges' g;
//   paired ratios — a one-sample t-test on log ratios (geometric mean ratio and its interval).
#include <span>
#include <string>
#include <vector>

#include "analysis/computed.h"
#include "analysis/hypotheses.h"

namespace servemeter {

struct Samples {
  std::string name;
  std::vector<double> values;
};

struct ClaimSpec {
  std::string what, metric;
  std::string unit;  // of the values ("ms", "tok/s"), for the shift a − b
  Claim claim = Claim::at_least;
  double margin = 1;
  std::string criterion;
};

TestedComparison compare_requests(const ClaimSpec& spec, const Samples& a, const Samples& b);
TestedComparison compare_trials(const ClaimSpec& spec, const Samples& a, const Samples& b);
// `ratios`: one positive ratio per pair (item); tests the geometric mean ratio against 1.
TestedComparison compare_ratios(const ClaimSpec& spec, const std::string& name,
                                std::span<const double> ratios);

struct GeometricMean {
  std::size_t n = 0;
  double ratio = 1;
  std::optional<double> ci_low, ci_high;  // 95%, Student t on the logs (n ≥ 2, spread > 0)
  std::optional<double> t, df, p_value;   // against a ratio of 1
};
// Positive values only; nullopt when there are none.
std::optional<GeometricMean> geometric_mean(std::span<const double> ratios);

// A comparison that could not be made, with the reason.
TestedComparison unavailable_comparison(const ClaimSpec& spec, std::string reason);

}  // namespace servemeter
