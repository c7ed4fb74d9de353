#pragma once
// Two-sample tests for comparing frameworks (Welch's t, Mann–Whitney U) and Holm's correction for
// testing several hypotheses at once. Every p-value is two-sided. A test that cannot be made
// (too few values, no variation, NaN in the input) returns its reason instead of a number.
#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "analysis/computed.h"
#include "analysis/sample_summary.h"

namespace servemeter {

struct WelchTest {
  SampleSummary a, b;
  double mean_difference = 0;  // a.mean − b.mean
  Interval difference_ci;      // for mean_difference, Student-t with the Welch df
  double t = 0;
  double df = 0;  // Welch–Satterthwaite degrees of freedom
  double p_value = 1;
};

// Welch's unequal-variance t-test of mean(a) = mean(b), as R's t.test(a, b).
// Assumes independent values and means that are roughly normal (the CLT makes that hold for
// moderate n unless the distribution is very skewed; prefer mann_whitney_u for raw latencies).
// Needs n ≥ 2 in both samples and not both variances zero.
Computed<WelchTest> welch_t_test(std::span<const double> a, std::span<const double> b,
                                 double confidence = 0.95);
// The same from summaries (e.g. per-trial means ± sd read from a results file).
Computed<WelchTest> welch_t_test(const SampleSummary& a, const SampleSummary& b,
                                 double confidence = 0.95);

enum class PValueMethod {
  exact,                 // the null distribution of U enumerated (no ties, both n < 50)
  normal_approximation,  // z with tie-corrected variance and continuity correction 0.5
};

struct MannWhitneyTest {
  std::size_t n_a = 0, n_b = 0;
  // Pairs (a_i, b_j) with a_i > b_j, a tie counting ½; R's wilcox.test W. u_b = n_a·n_b − u_a.
  double u_a = 0, u_b = 0;
  double p_value = 1;
  PValueMethod method = PValueMethod::exact;
  std::optional<double> z;  // the corrected normal statistic, when method is the approximation
  // Rank-biserial correlation (u_a − u_b) / (n_a·n_b) = P(a > b) − P(a < b), in [−1, 1]; this is
  // the same number as Cliff's delta. Positive when a tends to be larger.
  double rank_biserial = 0;
  // Hodges–Lehmann shift: median of all differences a_i − b_j (how much larger a typically is).
  double hodges_lehmann = 0;
  // Interval for that shift from order statistics of the differences (Hollander & Wolfe §4.3):
  // exact and conservative on the exact path; from the normal approximation otherwise.
  // Unavailable when the samples are too small to reach the confidence asked for.
  Computed<Interval> hodges_lehmann_ci;
};

// Mann–Whitney U (Wilcoxon rank-sum) test that a and b come from the same distribution, against a
// shift, as R's wilcox.test(a, b, conf.int = TRUE) before R 4.4 (exact p only without ties).
// Assumes independent values; makes no assumption about the distribution's shape.
// Needs n ≥ 1 in each sample (n = 1 gives a valid but weak test) and not every value equal.
Computed<MannWhitneyTest> mann_whitney_u(std::span<const double> a, std::span<const double> b,
                                         double confidence = 0.95);

// Holm–Bonferroni adjusted p-values, in input order: sorted ascending, p_(i)·(m − i + 1), made
// non-decreasing and capped at 1 (R's p.adjust(p, "holm")). Reject hypothesis i at family-wise
// level α when adjusted[i] ≤ α. Every p must lie in [0, 1].
Computed<std::vector<double>> holm_adjust(std::span<const double> p_values);

}  // namespace servemeter
