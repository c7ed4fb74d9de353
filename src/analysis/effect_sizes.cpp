#include "analysis/effect_sizes.h"

#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <string>

namespace servemeter {
namespace {

std::optional<std::string> needs_two_each(const SampleSummary& a, const SampleSummary& b,
                                          const char* what) {
  if (a.n >= 2 && b.n >= 2) return std::nullopt;
  return std::string(what) + " needs at least 2 values per sample (a has " + std::to_string(a.n) +
         ", b has " + std::to_string(b.n) + "); run more trials";
}

std::optional<std::string> check_pair(const SampleSummary& a, const SampleSummary& b,
                                      double confidence, const char* what) {
  if (auto why = invalid_confidence(confidence)) return why;
  if (auto why = invalid_summary(a, "sample a")) return why;
  if (auto why = invalid_summary(b, "sample b")) return why;
  return needs_two_each(a, b, what);
}

template <class T, class F>
Computed<T> from_samples(std::span<const double> a, std::span<const double> b, F&& on_summaries) {
  const auto sa = summarize_sample(a, "sample a");
  if (!sa) return Computed<T>::unavailable(sa.reason());
  const auto sb = summarize_sample(b, "sample b");
  if (!sb) return Computed<T>::unavailable(sb.reason());
  return on_summaries(*sa, *sb);
}

}  // namespace

Computed<HedgesG> hedges_g(const SampleSummary& a, const SampleSummary& b, double confidence) {
  using Result = Computed<HedgesG>;
  if (auto why = check_pair(a, b, confidence, "Hedges' g")) {
    return Result::unavailable(*why);
  }
  const double na = static_cast<double>(a.n), nb = static_cast<double>(b.n);
  const double df = na + nb - 2;
  const double pooled_var = ((na - 1) * a.sd * a.sd + (nb - 1) * b.sd * b.sd) / df;
  if (!(pooled_var > 0) || !std::isfinite(pooled_var)) {
    return Result::unavailable(
        "both samples have zero variance, so a standardised difference "
        "is undefined (means " +
        number_text(a.mean) + " and " + number_text(b.mean) + ")");
  }
  HedgesG h;
  h.d = (a.mean - b.mean) / std::sqrt(pooled_var);
  // Γ(df/2)/Γ((df − 1)/2) without overflow for large df: Boost's tgamma_delta_ratio(x, δ) is
  // Γ(x)/Γ(x + δ).
  h.correction = boost::math::tgamma_delta_ratio(df / 2, -0.5) / std::sqrt(df / 2);
  h.g = h.correction * h.d;
  const double var_d = (na + nb) / (na * nb) + h.d * h.d / (2 * (na + nb));
  h.standard_error = h.correction * std::sqrt(var_d);
  const double half = z_critical(confidence) * h.standard_error;
  h.ci = {h.g - half, h.g + half, confidence};
  if (!std::isfinite(h.g) || !std::isfinite(half)) {
    return Result::unavailable(
        "the standardised difference overflows doubles (d = " + number_text(h.d) + ")");
  }
  return h;
}

Computed<HedgesG> hedges_g(std::span<const double> a, std::span<const double> b,
                           double confidence) {
  return from_samples<HedgesG>(a, b, [&](const SampleSummary& sa, const SampleSummary& sb) {
    return hedges_g(sa, sb, confidence);
  });
}

Computed<RatioOfMeans> ratio_of_means(const SampleSummary& a, const SampleSummary& b,
                                      double confidence) {
  using Result = Computed<RatioOfMeans>;
  if (auto why = check_pair(a, b, confidence, "A ratio of means")) {
    return Result::unavailable(*why);
  }
  if (!(a.mean > 0) || !(b.mean > 0)) {
    return Result::unavailable(
        "a ratio of means needs both means above 0 (a: " + number_text(a.mean) +
        ", b: " + number_text(b.mean) + "); compare differences instead");
  }
  // Relative variances of each mean: (s/m)²/n.
  const double va = a.sd * a.sd / (a.mean * a.mean) / static_cast<double>(a.n);
  const double vb = b.sd * b.sd / (b.mean * b.mean) / static_cast<double>(b.n);
  const double var_log = va + vb;
  if (!(var_log > 0) || !std::isfinite(var_log)) {
    return Result::unavailable("both samples have zero variance, so the ratio " +
                               number_text(a.mean / b.mean) + " has no interval");
  }
  RatioOfMeans r;
  r.ratio = a.mean / b.mean;
  r.df = var_log * var_log /
         (va * va / static_cast<double>(a.n - 1) + vb * vb / static_cast<double>(b.n - 1));
  if (!std::isfinite(r.df) || !(r.df > 0)) {
    return Result::unavailable("the variances are too extreme for doubles");
  }
  const double half_log = t_critical(confidence, r.df) * std::sqrt(var_log);
  r.ci = {r.ratio * std::exp(-half_log), r.ratio * std::exp(half_log), confidence};
  if (!std::isfinite(r.ci.high)) {
    return Result::unavailable("the interval for the ratio " + number_text(r.ratio) +
                               " is unbounded; the means are too uncertain");
  }
  return r;
}

Computed<RatioOfMeans> ratio_of_means(std::span<const double> a, std::span<const double> b,
                                      double confidence) {
  return from_samples<RatioOfMeans>(a, b, [&](const SampleSummary& sa, const SampleSummary& sb) {
    return ratio_of_means(sa, sb, confidence);
  });
}

Computed<TrialEstimate> mean_with_ci(std::span<const double> values) {
  if (auto why = invalid_sample(values, "the sample")) {
    return Computed<TrialEstimate>::unavailable(*why);
  }
  if (values.size() < 2) {
    return Computed<TrialEstimate>::unavailable(
        "an interval for the mean needs at least 2 values (have 1: " + number_text(values[0]) +
        "); run more trials");
  }
  auto estimate = estimate_over_trials(values);
  if (!estimate || !estimate->ci95_low) {
    return Computed<TrialEstimate>::unavailable("the mean could not be estimated");
  }
  return *estimate;
}

}  // namespace servemeter
