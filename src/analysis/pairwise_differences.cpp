#include "analysis/pairwise_differences.h"

#include <algorithm>
#include <vector>

namespace servemeter {
namespace {

// Pairs with a_i − b_j ≤ d. For fixed i the difference falls as j grows, so those j form a suffix
// of b, whose start only moves right as a_i grows. The comparison uses the rounded difference
// itself, so counts agree exactly with the values listed by differences_between.
std::uint64_t count_at_most(std::span<const double> a, std::span<const double> b, double d) {
  std::uint64_t count = 0;
  std::size_t start = 0;
  for (double ai : a) {
    while (start < b.size() && ai - b[start] > d) ++start;
    count += b.size() - start;
  }
  return count;
}

// Every difference in (low, high].
std::vector<double> differences_between(std::span<const double> a, std::span<const double> b,
                                        double low, double high) {
  std::vector<double> found;
  std::size_t from = 0, to = 0;  // j in [from, to): low < a_i − b_j ≤ high
  for (double ai : a) {
    while (from < b.size() && ai - b[from] > high) ++from;
    while (to < b.size() && ai - b[to] > low) ++to;
    for (std::size_t j = from; j < to; ++j) found.push_back(ai - b[j]);
  }
  return found;
}

double kth_of(std::vector<double>& values, std::uint64_t k) {
  const auto nth = values.begin() + static_cast<std::ptrdiff_t>(k - 1);
  std::nth_element(values.begin(), nth, values.end());
  return *nth;
}

}  // namespace

double kth_smallest_difference(std::span<const double> a, std::span<const double> b,
                               std::uint64_t k, std::uint64_t materialize_limit) {
  const std::uint64_t total = static_cast<std::uint64_t>(a.size()) * b.size();
  if (total <= materialize_limit) {
    std::vector<double> all;
    all.reserve(total);
    for (double ai : a)
      for (double bj : b) all.push_back(ai - bj);
    return kth_of(all, k);
  }
  // Invariant: count(≤ low) < k ≤ count(≤ high).
  double low = a.front() - b.back();  // the smallest difference
  double high = a.back() - b.front();
  std::uint64_t below_low = count_at_most(a, b, low);
  if (below_low >= k) return low;
  std::uint64_t below_high = total;
  const std::uint64_t list_limit = std::max<std::uint64_t>(materialize_limit, a.size() + b.size());
  while (below_high - below_low > list_limit) {
    const double mid = low / 2 + high / 2;  // no overflow for differences near ±max
    // Adjacent doubles: nothing lies strictly between, so every difference in (low, high] is
    // `high` itself (many tied differences).
    if (!(mid > low && mid < high)) return high;
    const std::uint64_t below_mid = count_at_most(a, b, mid);
    if (below_mid >= k) {
      high = mid;
      below_high = below_mid;
    } else {
      low = mid;
      below_low = below_mid;
    }
  }
  std::vector<double> rest = differences_between(a, b, low, high);
  return kth_of(rest, k - below_low);
}

}  // namespace servemeter
