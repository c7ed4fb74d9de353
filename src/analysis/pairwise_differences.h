#pragma once
// Order statistics of the n_a·n_b differences a_i − b_j without storing them all, for the
// Hodges–Lehmann estimate and its interval on samples of many thousands of requests.
#include <cstddef>
#include <cstdint>
#include <span>

namespace servemeter {

// The k-th smallest (1-based, 1 ≤ k ≤ n_a·n_b) of a_i − b_j. `a` and `b` must be sorted
// ascending, non-empty and finite. Up to `materialize_limit` differences are simply listed and
// partially sorted; beyond that the value is found by bisection, counting the differences at or
// below a candidate in O(n_a + n_b), until few enough remain to list — memory stays O(n).
double kth_smallest_difference(std::span<const double> a, std::span<const double> b,
                               std::uint64_t k, std::uint64_t materialize_limit = 1u << 22);

}  // namespace servemeter
