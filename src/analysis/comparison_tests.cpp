#include "analysis/comparison_tests.h"

#include <algorithm>
#include <cmath>

#include "analysis/effect_sizes.h"
#include "analysis/statistical_tests.h"

namespace servemeter {
namespace {

std::vector<double> positive_finite(const std::vector<double>& values) {
  std::vector<double> out;
  out.reserve(values.size());
  for (double v : values)
    if (std::isfinite(v) && v > 0) out.push_back(v);
  return out;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

bool all_equal(const std::vector<double>& v) {
  return std::all_of(v.begin(), v.end(), [&](double x) { return x == v.front(); });
}

TestedComparison start(const ClaimSpec& spec, const Samples& a, const Samples& b,
                       const char* unit) {
  TestedComparison c;
  c.what = spec.what;
  c.metric = spec.metric;
  c.claim = spec.claim;
  c.margin = spec.margin;
  c.criterion = spec.criterion;
  c.a = a.name;
  c.b = b.name;
  c.sample_unit = unit;
  return c;
}

std::vector<double> logs(const std::vector<double>& v) {
  std::vector<double> out(v.size());
  std::transform(v.begin(), v.end(), out.begin(), [](double x) { return std::log(x); });
  return out;
}

Effect exact_ratio(double value) {
  return {"ratio (no spread: exact)", value, value, value, "×"};
}

}  // namespace

TestedComparison unavailable_comparison(const ClaimSpec& spec, std::string reason) {
  TestedComparison c = start(spec, {}, {}, "");
  c.outcome = Outcome::unavailable;
  c.reason = std::move(reason);
  return c;
}

TestedComparison compare_requests(const ClaimSpec& spec, const Samples& sa, const Samples& sb) {
  TestedComparison c = start(spec, sa, sb, "requests");
  const std::vector<double> a = positive_finite(sa.values), b = positive_finite(sb.values);
  c.n_a = a.size();
  c.n_b = b.size();
  c.centre = "median";
  if (a.size() < kMinRequests || b.size() < kMinRequests) {
    c.reason = "too few successful requests (" + sa.name + ": " + std::to_string(a.size()) + ", " +
               sb.name + ": " + std::to_string(b.size()) + "; at least " +
               std::to_string(kMinRequests) + " each are needed)";
    return c;
  }
  c.centre_a = median(a);
  c.centre_b = median(b);
  if (all_equal(a) && all_equal(b)) {
    c.exact = true;
    c.ratio = exact_ratio(a.front() / b.front());
    c.reason = "every value of each sample is the same, so the ratio is exact and no test is made";
    return c;
  }
  // U depends only on the order of the values, so the test on the logs is the test on the
  // values; on the logs, the Hodges–Lehmann shift is the log of the median pairwise ratio.
  const auto on_logs = mann_whitney_u(logs(a), logs(b));
  if (!on_logs) {
    c.reason = on_logs.reason();
    return c;
  }
  c.test = on_logs->method == PValueMethod::exact ? "Mann–Whitney U (exact)"
                                                  : "Mann–Whitney U (normal approximation)";
  c.statistic_name = "U";
  c.statistic = on_logs->u_a;
  c.p_value = on_logs->p_value;
  Effect ratio{"ratio, Hodges–Lehmann (median of pairwise ratios)",
               std::exp(on_logs->hodges_lehmann), std::nullopt, std::nullopt, "×"};
  if (on_logs->hodges_lehmann_ci) {
    ratio.ci_low = std::exp(on_logs->hodges_lehmann_ci->low);
    ratio.ci_high = std::exp(on_logs->hodges_lehmann_ci->high);
  } else {
    c.reason = "no interval for the ratio: " + on_logs->hodges_lehmann_ci.reason();
  }
  c.ratio = ratio;
  if (const auto raw = mann_whitney_u(a, b)) {
    Effect shift{"shift a − b, Hodges–Lehmann", raw->hodges_lehmann, std::nullopt, std::nullopt,
                 spec.unit};
    if (raw->hodges_lehmann_ci) {
      shift.ci_low = raw->hodges_lehmann_ci->low;
      shift.ci_high = raw->hodges_lehmann_ci->high;
    }
    c.extra = shift;
  }
  return c;
}

TestedComparison compare_trials(const ClaimSpec& spec, const Samples& sa, const Samples& sb) {
  TestedComparison c = start(spec, sa, sb, "trials");
  const std::vector<double> a = positive_finite(sa.values), b = positive_finite(sb.values);
  c.n_a = a.size();
  c.n_b = b.size();
  c.centre = "mean";
  if (a.empty() || b.empty()) {
    c.reason = "no value for " + (a.empty() ? sa.name : sb.name);
    return c;
  }
  double mean_a = 0, mean_b = 0;
  for (double v : a) mean_a += v / static_cast<double>(a.size());
  for (double v : b) mean_b += v / static_cast<double>(b.size());
  c.centre_a = mean_a;
  c.centre_b = mean_b;
  if (a.size() < kMinTrials || b.size() < kMinTrials) {
    c.reason = "one trial where trials are needed (" + sa.name + ": " + std::to_string(a.size()) +
               ", " + sb.name + ": " + std::to_string(b.size()) +
               "): this figure is one value per trial, so testing it needs at least " +
               std::to_string(kMinTrials) + " trials each; run with --trials 3 or more";
    return c;
  }
  const auto welch = welch_t_test(a, b);
  if (!welch) {
    if (all_equal(a) && all_equal(b)) {
      c.exact = true;
      c.ratio = exact_ratio(mean_a / mean_b);
      c.reason = "every trial gave the same value, so the ratio is exact and no test is made";
    } else {
      c.reason = welch.reason();
    }
    return c;
  }
  c.test = "Welch's t";
  c.statistic_name = "t";
  c.statistic = welch->t;
  c.df = welch->df;
  c.p_value = welch->p_value;
  if (const auto r = ratio_of_means(a, b)) {
    c.ratio = Effect{"ratio of means (delta method)", r->ratio, r->ci.low, r->ci.high, "×"};
  } else {
    c.reason = "no ratio: " + r.reason();
  }
  if (const auto g = hedges_g(a, b)) c.extra = Effect{"Hedges' g", g->g, g->ci.low, g->ci.high, ""};
  return c;
}

std::optional<GeometricMean> geometric_mean(std::span<const double> ratios) {
  std::vector<double> l;
  for (double r : ratios)
    if (std::isfinite(r) && r > 0) l.push_back(std::log(r));
  if (l.empty()) return std::nullopt;
  GeometricMean g;
  g.n = l.size();
  const auto summary = summarize_sample(l, "log ratios");
  g.ratio = std::exp(summary->mean);
  if (l.size() < 2 || !(summary->sd > 0)) return g;
  // Welch's test against a constant sample (sd 0) is exactly the one-sample t-test of the
  // mean log ratio against log 1 = 0: t = mean/(sd/√n), df = n − 1.
  const auto t = welch_t_test(*summary, SampleSummary{2, 0.0, 0.0});
  if (!t) return g;
  g.ci_low = std::exp(t->difference_ci.low);
  g.ci_high = std::exp(t->difference_ci.high);
  g.t = t->t;
  g.df = t->df;
  g.p_value = t->p_value;
  return g;
}

TestedComparison compare_ratios(const ClaimSpec& spec, const std::string& name,
                                std::span<const double> ratios) {
  TestedComparison c = start(spec, {name, {}}, {"1", {}}, "item pairs");
  c.centre = "geometric mean";
  const auto g = geometric_mean(ratios);
  c.n_a = g ? g->n : 0;
  if (!g || g->n < kMinPairs) {
    c.reason = "too few item pairs with both token counts (" + std::to_string(c.n_a) +
               "; at least " + std::to_string(kMinPairs) + " are needed)";
    return c;
  }
  c.centre_a = g->ratio;
  if (!g->p_value) {
    c.exact = true;
    c.ratio = exact_ratio(g->ratio);
    c.reason = "every pair has the same ratio, so it is exact and no test is made";
    return c;
  }
  c.test = "one-sample t on log ratios";
  c.statistic_name = "t";
  c.statistic = g->t;
  c.df = g->df;
  c.p_value = g->p_value;
  c.ratio = Effect{"geometric mean ratio", g->ratio, g->ci_low, g->ci_high, "×"};
  return c;
}

}  // namespace servemeter
