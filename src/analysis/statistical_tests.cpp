#include "analysis/statistical_tests.h"

#include <algorithm>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <numeric>
#include <string>

namespace servemeter {

Computed<WelchTest> welch_t_test(const SampleSummary& a, const SampleSummary& b,
                                 double confidence) {
  using Result = Computed<WelchTest>;
  if (auto why = invalid_confidence(confidence)) return Result::unavailable(*why);
  if (auto why = invalid_summary(a, "sample a")) return Result::unavailable(*why);
  if (auto why = invalid_summary(b, "sample b")) return Result::unavailable(*why);
  if (a.n < 2 || b.n < 2) {
    return Result::unavailable("Welch's t-test needs at least 2 values per sample (a has " +
                               std::to_string(a.n) + ", b has " + std::to_string(b.n) +
                               "); run more trials");
  }
  const double va = a.sd * a.sd / static_cast<double>(a.n);
  const double vb = b.sd * b.sd / static_cast<double>(b.n);
  const double se2 = va + vb;
  if (!(se2 > 0) || !std::isfinite(se2)) {
    return Result::unavailable(
        "both samples have zero variance, so the t statistic is undefined (means " +
        number_text(a.mean) + " and " + number_text(b.mean) + ")");
  }
  WelchTest w;
  w.a = a;
  w.b = b;
  w.mean_difference = a.mean - b.mean;
  const double se = std::sqrt(se2);
  w.t = w.mean_difference / se;
  // Each term is (s²/n)²/(n − 1); one may be 0 (a constant sample), never both.
  const double denominator =
      va * va / static_cast<double>(a.n - 1) + vb * vb / static_cast<double>(b.n - 1);
  w.df = se2 * se2 / denominator;
  if (!std::isfinite(w.t) || !std::isfinite(w.df) || !(w.df > 0)) {
    return Result::unavailable("the variances are too extreme for doubles (t = " +
                               number_text(w.t) + ", df = " + number_text(w.df) + ")");
  }
  const boost::math::students_t dist(w.df);
  w.p_value = std::min(1.0, 2 * boost::math::cdf(boost::math::complement(dist, std::fabs(w.t))));
  const double half = t_critical(confidence, w.df) * se;
  w.difference_ci = {w.mean_difference - half, w.mean_difference + half, confidence};
  return w;
}

Computed<WelchTest> welch_t_test(std::span<const double> a, std::span<const double> b,
                                 double confidence) {
  const auto sa = summarize_sample(a, "sample a");
  if (!sa) return Computed<WelchTest>::unavailable(sa.reason());
  const auto sb = summarize_sample(b, "sample b");
  if (!sb) return Computed<WelchTest>::unavailable(sb.reason());
  return welch_t_test(*sa, *sb, confidence);
}

Computed<std::vector<double>> holm_adjust(std::span<const double> p_values) {
  using Result = Computed<std::vector<double>>;
  for (std::size_t i = 0; i < p_values.size(); ++i) {
    const double p = p_values[i];
    if (!(p >= 0 && p <= 1)) {
      return Result::unavailable("p-value " + number_text(p) + " at index " + std::to_string(i) +
                                 " is not a probability in [0, 1]");
    }
  }
  const std::size_t m = p_values.size();
  std::vector<std::size_t> order(m);
  std::iota(order.begin(), order.end(), std::size_t{0});
  // Stable, so equal p-values keep input order and the result does not depend on sort internals.
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t x, std::size_t y) { return p_values[x] < p_values[y]; });
  std::vector<double> adjusted(m);
  double running_max = 0;
  for (std::size_t rank = 0; rank < m; ++rank) {
    const std::size_t i = order[rank];
    const double scaled = std::min(1.0, p_values[i] * static_cast<double>(m - rank));
    running_max = std::max(running_max, scaled);
    adjusted[i] = running_max;
  }
  return adjusted;
}

}  // namespace servemeter
