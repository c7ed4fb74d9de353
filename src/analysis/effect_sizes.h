#pragma once
// How big a difference is, with an interval: Hedges' g (standardised), the ratio of means
// ("2.3× the throughput"), and a mean with its Student-t interval.
#include <span>

#include "analysis/computed.h"
#include "analysis/sample_summary.h"
#include "core/statistics.h"

namespace servemeter {

struct HedgesG {
  double g = 0;  // J·d: the standardised mean difference (a − b), small-sample corrected
  double d = 0;  // Cohen's d with the pooled sd
  double correction = 1;  // J = Γ(df/2) / (√(df/2)·Γ((df − 1)/2)), df = n_a + n_b − 2
  double standard_error = 0;
  Interval ci;  // g ± z·SE, SE² = J²·((n_a + n_b)/(n_a·n_b) + d²/(2(n_a + n_b)))
};

// Hedges' g (Hedges 1981; Borenstein et al., Introduction to Meta-Analysis, 2009, ch. 4), with the
// large-sample normal interval. Assumes the two populations share one sd (pooled) and are roughly
// normal; the interval is approximate for small n. Needs n ≥ 2 in each sample and a pooled sd > 0.
Computed<HedgesG> hedges_g(std::span<const double> a, std::span<const double> b,
                           double confidence = 0.95);
Computed<HedgesG> hedges_g(const SampleSummary& a, const SampleSummary& b,
                           double confidence = 0.95);

struct RatioOfMeans {
  double ratio = 1;  // mean(a) / mean(b)
  Interval ci;
  double df = 0;  // Welch–Satterthwaite df of the log-scale variance terms
};

// mean(a)/mean(b) with an interval by the delta method on the log scale:
// Var(log ratio) ≈ s_a²/(n_a·m_a²) + s_b²/(n_b·m_b²), interval exp(log ratio ± t·SE) with t on the
// Welch–Satterthwaite df of those two terms; the interval is therefore symmetric in log, never
// below 0, and ratio(a, b) is the reciprocal interval of ratio(b, a). Assumes both means are well
// away from 0 relative to their standard errors (throughput, latency); needs both means > 0,
// n ≥ 2 in each sample and not both sds zero.
Computed<RatioOfMeans> ratio_of_means(std::span<const double> a, std::span<const double> b,
                                      double confidence = 0.95);
Computed<RatioOfMeans> ratio_of_means(const SampleSummary& a, const SampleSummary& b,
                                      double confidence = 0.95);

// The mean with its sample sd and two-sided 95% Student-t interval (core's estimate_over_trials),
// or the reason there is none: needs n ≥ 2 finite values for the interval.
Computed<TrialEstimate> mean_with_ci(std::span<const double> values);

}  // namespace servemeter
