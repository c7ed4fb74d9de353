#pragma once
// The values of one metric over a cell (TTFT of every request, every inter-token gap…), kept
// exactly up to a bound and then folded into a log-linear histogram, so a run of any size is
// summarised in bounded memory. Mean, std, min and max stay exact; percentiles are exact (numpy's
// linear interpolation) while the values fit, and within 0.1% of the value once folded.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/statistics.h"

namespace servemeter {

class SampleSet {
 public:
  // Exact while at most `exact_limit` values were added (8 bytes each).
  explicit SampleSet(std::size_t exact_limit = std::size_t{1} << 21) : exact_limit_(exact_limit) {}

  // While exact, only a push_back; the moments are computed when summarised or folded.
  void add(double value) {
    if (!folded_ && std::isfinite(value)) {
      values_.push_back(value);
      ++count_;
      if (values_.size() > exact_limit_) fold();
      return;
    }
    add_folded(value);
  }
  // Room for `n` exact values in all, so that adding or merging up to them moves nothing.
  void reserve(std::size_t n) {
    if (!folded_) values_.reserve(std::min(n, exact_limit_));
  }
  // Adds every value of `other`, as if each had been added here.
  void merge(const SampleSet& other);
  // Empty again, keeping the room for exact values (sets reused cell after cell).
  void clear();
  std::size_t count() const noexcept { return count_; }
  bool exact() const noexcept { return !folded_; }
  // Empty: nullopt (not measured, never 0).
  std::optional<Distribution> summarize() const;
  // The exact values (only while exact(); unsorted).
  const std::vector<double>& values() const noexcept { return values_; }

 private:
  void fold();
  void add_folded(double value);
  void count_in_bucket(double value, std::uint64_t n = 1);
  static std::int32_t bucket_of(double value);
  static double bucket_value(std::int32_t bucket);
  double percentile_folded(double q) const;

  std::size_t exact_limit_;
  std::vector<double> values_;
  bool folded_ = false;
  // Folded: counts of the log-linear buckets from bucket id `first_bucket_` on, and of zeros.
  std::vector<std::uint64_t> buckets_;
  std::int32_t first_bucket_ = 0;
  std::uint64_t zeros_ = 0;
  std::size_t count_ = 0;
  // Folded: sums of (value − shift_) and of its square, shift_ being the mean when folding, so
  // mean and variance stay exact to rounding without a division per value.
  double shift_ = 0, sum_ = 0, sum_squares_ = 0;
  double min_ = 0, max_ = 0;
};

}  // namespace servemeter
