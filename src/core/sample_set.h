#pragma once
// The values of one metric over a cell (TTFT of every request, every inter-token gap…), kept
// exactly up to a bound and then folded into a log-linear histogram, so a run of any size is
// summarised in bounded memory. Mean, std, min and max stay exact; percentiles are exact (numpy's
// linear interpolation) while the values fit, and within 0.1% of the value once folded.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "core/statistics.h"

namespace servemeter {

class SampleSet {
 public:
  // Exact while at most `exact_limit` values were added (8 bytes each).
  explicit SampleSet(std::size_t exact_limit = std::size_t{1} << 21) : exact_limit_(exact_limit) {}

  void add(double value);
  std::size_t count() const noexcept { return count_; }
  bool exact() const noexcept { return !folded_; }
  // Empty: nullopt (not measured, never 0).
  std::optional<Distribution> summarize() const;
  // The exact values (only while exact(); unsorted).
  const std::vector<double>& values() const noexcept { return values_; }

 private:
  void fold();
  static std::int32_t bucket_of(double value);
  static double bucket_value(std::int32_t bucket);
  double percentile_folded(double q) const;

  std::size_t exact_limit_;
  std::vector<double> values_;
  bool folded_ = false;
  std::unordered_map<std::int32_t, std::uint64_t> buckets_;
  std::size_t count_ = 0;
  double mean_ = 0, m2_ = 0;  // Welford
  double min_ = 0, max_ = 0;
};

}  // namespace servemeter
