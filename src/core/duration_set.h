#pragma once
// Durations in integer nanoseconds (every inter-token gap of a cell: millions of them),
// summarised in milliseconds of model time. While exact, each value is counted in a log-linear
// bucket as it is added, so a percentile's bucket is known from the counts and only the values
// of those few buckets are selected: one pass over the values at the end, for a cell's trials and
// their pool together, with no sorting and no copy of the sets. Sums are integers, so mean and
// std do not depend on the order of the values. Past `exact_limit` values a set folds into a
// SampleSet (percentiles within 0.1%).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "core/sample_set.h"
#include "core/statistics.h"

namespace servemeter {

__extension__ typedef unsigned __int128 Uint128;  // GCC and Clang: exact sums of squares

class DurationSet {
 public:
  // `time_scale`: each value is reported as ns_to_ms(value) × time_scale.
  explicit DurationSet(double time_scale = 1.0, std::size_t exact_limit = std::size_t{1} << 18);
  DurationSet(DurationSet&&) noexcept;
  DurationSet& operator=(DurationSet&&) noexcept;
  ~DurationSet();

  // The gaps between consecutive `stamps` (ns), in order.
  void add_gaps(std::span<const std::int64_t> stamps);
  void add(std::int64_t ns);
  // Room for `n` exact values in all.
  void reserve(std::size_t n);
  // Empty again, keeping the memory: a set reused trial after trial adds into pages it has
  // already touched instead of faulting in fresh ones.
  void clear(double time_scale);

  std::size_t count() const noexcept;
  bool exact() const noexcept { return !folded_; }
  // Empty: nullopt (not measured, never 0). Percentiles, min and max are exactly what a
  // SampleSet of the converted values gives while exact.
  std::optional<Distribution> summarize() const;

  // Each set's summary, and in `pooled` (if given) that of all their values together as one set
  // holding them all would give: exact when every set is. The sets share one time scale.
  static std::vector<std::optional<Distribution>> summarize_each(
      std::span<const DurationSet* const> sets, std::optional<Distribution>* pooled = nullptr);
  static bool all_exact(std::span<const DurationSet* const> sets);

  // Adding takes AVX-512 code where the CPU has it; tests hold it to the portable code.
  static void prefer_portable_code(bool portable);

 private:
  void grow(std::size_t capacity);
  void fold();
  double to_ms(std::int64_t ns) const noexcept;
  std::size_t buckets_used() const noexcept;

  double scale_;
  std::size_t exact_limit_;
  std::unique_ptr<std::int64_t[]> values_;
  std::unique_ptr<std::uint16_t[]> buckets_;  // each value's bucket, for the selection pass
  std::size_t size_ = 0, capacity_ = 0;
  std::vector<std::uint32_t> counts_;  // per bucket, allocated by the first value
  std::int64_t sum_ = 0;
  Uint128 squares_ = 0;          // Σ |v|²; trusted while every |v| < 2^40 (see magnitude_)
  std::uint64_t magnitude_ = 0;  // the OR of every |v|: an upper bound of the largest
  std::unique_ptr<SampleSet> folded_;
};

}  // namespace servemeter
