// Mann–Whitney U: ranks with ties averaged; the exact null distribution of U by the counting
// recurrence of Mann & Whitney (1947); the Hodges–Lehmann shift with its order-statistic interval.
#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "analysis/pairwise_differences.h"
#include "analysis/statistical_tests.h"

namespace servemeter {
namespace {

// R's rule: enumerate the null distribution while both samples are under 50 values.
constexpr std::size_t kExactLimit = 50;

struct Ranking {
  double rank_sum_a = 0;
  double tie_term = 0;  // Σ (t³ − t) over groups of t tied values
  bool ties = false;
};

Ranking rank(std::span<const double> a, std::span<const double> b) {
  struct Value {
    double x;
    bool from_a;
  };
  std::vector<Value> all;
  all.reserve(a.size() + b.size());
  for (double x : a) all.push_back({x, true});
  for (double x : b) all.push_back({x, false});
  std::sort(all.begin(), all.end(), [](const Value& l, const Value& r) { return l.x < r.x; });
  Ranking r;
  for (std::size_t start = 0; start < all.size();) {
    std::size_t end = start + 1;
    while (end < all.size() && all[end].x == all[start].x) ++end;
    const double t = static_cast<double>(end - start);
    const double mid_rank = (static_cast<double>(start + 1) + static_cast<double>(end)) / 2;
    for (std::size_t i = start; i < end; ++i)
      if (all[i].from_a) r.rank_sum_a += mid_rank;
    if (t > 1) {
      r.ties = true;
      r.tie_term += t * t * t - t;
    }
    start = end;
  }
  return r;
}

// frequency[u] = number of orderings of n_a + n_b distinct values giving U_a = u; by the
// recurrence f(i, j, u) = f(i − 1, j, u − j) + f(i, j − 1, u) on whether the largest value comes
// from a (it then beats all j values of b) or from b. Counts reach C(98, 49) ≈ 2.5e28, so doubles:
// every count is a sum of positive terms, so the relative rounding stays near 1e-15.
std::vector<double> exact_u_frequencies(std::size_t n_a, std::size_t n_b) {
  std::vector<std::vector<double>> previous(n_b + 1, std::vector<double>{1.0});  // i = 0
  std::vector<std::vector<double>> current(n_b + 1);
  for (std::size_t i = 1; i <= n_a; ++i) {
    current[0] = {1.0};
    for (std::size_t j = 1; j <= n_b; ++j) {
      std::vector<double>& f = current[j];
      f.assign(i * j + 1, 0.0);
      const std::vector<double>& a_largest = previous[j];     // f(i − 1, j, ·), shifted by j
      const std::vector<double>& b_largest = current[j - 1];  // f(i, j − 1, ·)
      for (std::size_t u = 0; u < a_largest.size(); ++u) f[u + j] += a_largest[u];
      for (std::size_t u = 0; u < b_largest.size(); ++u) f[u] += b_largest[u];
    }
    std::swap(previous, current);
  }
  return previous[n_b];
}

struct ExactDistribution {
  std::vector<double> cumulative;  // P(U ≤ u)
  explicit ExactDistribution(std::size_t n_a, std::size_t n_b) {
    const std::vector<double> f = exact_u_frequencies(n_a, n_b);
    double total = 0;
    for (double x : f) total += x;
    cumulative.resize(f.size());
    double running = 0;
    for (std::size_t u = 0; u < f.size(); ++u) {
      running += f[u];
      cumulative[u] = running / total;
    }
  }
  double at_most(std::size_t u) const { return cumulative[std::min(u, cumulative.size() - 1)]; }
  // By symmetry P(U ≥ u) = P(U ≤ n_a·n_b − u).
  double at_least(std::size_t u) const { return at_most(cumulative.size() - 1 - u); }
  // The smallest u with P(U ≤ u) ≥ p (R's qwilcox).
  std::size_t quantile(double p) const {
    const auto it = std::lower_bound(cumulative.begin(), cumulative.end(), p * (1 - 1e-12));
    return static_cast<std::size_t>(it - cumulative.begin());
  }
};

// The interval [D_(k), D_(N − k + 1)] of the sorted differences; k ≥ 1.
Computed<Interval> shift_interval(std::span<const double> a, std::span<const double> b,
                                  std::uint64_t k, double confidence) {
  const std::uint64_t total = static_cast<std::uint64_t>(a.size()) * b.size();
  return Interval{kth_smallest_difference(a, b, k), kth_smallest_difference(a, b, total - k + 1),
                  confidence};
}

Computed<Interval> too_small_for(double confidence, std::size_t n_a, std::size_t n_b) {
  return Computed<Interval>::unavailable(
      "samples of " + std::to_string(n_a) + " and " + std::to_string(n_b) +
      " values are too small for a " + number_text(confidence * 100) +
      "% interval of the shift; collect more values or ask for a lower confidence");
}

}  // namespace

Computed<MannWhitneyTest> mann_whitney_u(std::span<const double> a, std::span<const double> b,
                                         double confidence) {
  using Result = Computed<MannWhitneyTest>;
  if (auto why = invalid_confidence(confidence)) return Result::unavailable(*why);
  if (auto why = invalid_sample(a, "sample a")) return Result::unavailable(*why);
  if (auto why = invalid_sample(b, "sample b")) return Result::unavailable(*why);

  MannWhitneyTest m;
  m.n_a = a.size();
  m.n_b = b.size();
  const double na = static_cast<double>(m.n_a), nb = static_cast<double>(m.n_b);
  const double pairs = na * nb;
  const double n = na + nb;
  const Ranking r = rank(a, b);
  const double sigma2 = pairs / 12 * ((n + 1) - r.tie_term / (n * (n - 1)));
  if (r.ties && !(sigma2 > 0)) {
    return Result::unavailable("every value in both samples equals " + number_text(a[0]) +
                               ", so ranks carry no information to test");
  }
  m.u_a = r.rank_sum_a - na * (na + 1) / 2;
  m.u_b = pairs - m.u_a;
  m.rank_biserial = (m.u_a - m.u_b) / pairs;

  std::vector<double> sorted_a(a.begin(), a.end()), sorted_b(b.begin(), b.end());
  std::sort(sorted_a.begin(), sorted_a.end());
  std::sort(sorted_b.begin(), sorted_b.end());
  if (!std::isfinite(sorted_a.back() - sorted_b.front()) ||
      !std::isfinite(sorted_a.front() - sorted_b.back())) {
    return Result::unavailable("differences between the samples overflow doubles");
  }
  const auto total = static_cast<std::uint64_t>(m.n_a) * m.n_b;
  m.hodges_lehmann = total % 2 == 1 ? kth_smallest_difference(sorted_a, sorted_b, total / 2 + 1)
                                    : (kth_smallest_difference(sorted_a, sorted_b, total / 2) +
                                       kth_smallest_difference(sorted_a, sorted_b, total / 2 + 1)) /
                                          2;
  const double alpha = 1 - confidence;

  if (!r.ties && m.n_a < kExactLimit && m.n_b < kExactLimit) {
    m.method = PValueMethod::exact;
    const ExactDistribution dist(m.n_a, m.n_b);
    const auto u = static_cast<std::size_t>(std::llround(m.u_a));
    m.p_value = std::min(1.0, 2 * std::min(dist.at_most(u), dist.at_least(u)));
    const std::size_t k = dist.quantile(alpha / 2);
    m.hodges_lehmann_ci = k == 0 ? too_small_for(confidence, m.n_a, m.n_b)
                                 : shift_interval(sorted_a, sorted_b, k, confidence);
    return m;
  }

  m.method = PValueMethod::normal_approximation;
  const double sigma = std::sqrt(sigma2);
  const double centred = m.u_a - pairs / 2;
  const double continuity = centred > 0 ? 0.5 : centred < 0 ? -0.5 : 0.0;
  m.z = (centred - continuity) / sigma;
  const boost::math::normal standard;
  m.p_value =
      std::min(1.0, 2 * boost::math::cdf(boost::math::complement(standard, std::fabs(*m.z))));
  // The exact rule's k is the smallest with P(U ≤ k) ≥ α/2; here P(U ≤ k) is read from the
  // normal curve with the continuity term, Φ((k + ½ − n_a·n_b/2)/σ).
  const double k_real = std::ceil(pairs / 2 - z_critical(confidence) * sigma - 0.5);
  m.hodges_lehmann_ci = k_real < 1 ? too_small_for(confidence, m.n_a, m.n_b)
                                   : shift_interval(sorted_a, sorted_b,
                                                    static_cast<std::uint64_t>(k_real), confidence);
  return m;
}

}  // namespace servemeter
