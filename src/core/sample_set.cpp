#include "core/sample_set.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace servemeter {
namespace {
// 2^9 sub-buckets per power of two: a bucket spans at most 0.2% of its value, and its midpoint
// is within 0.1% of any value in it.
constexpr int kSubBits = 9;
constexpr double kZero = 1e-12;  // latencies are never negative; 0 and below are counted apart
}  // namespace

void SampleSet::add_folded(double value) {
  if (!std::isfinite(value)) return;
  ++count_;
  const double d = value - shift_;
  sum_ += d;
  sum_squares_ += d * d;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
  count_in_bucket(value);
}

void SampleSet::count_in_bucket(double value, std::uint64_t n) {
  if (value <= kZero) {
    zeros_ += n;
    return;
  }
  const std::int32_t bucket = bucket_of(value);
  if (buckets_.empty()) {
    first_bucket_ = bucket;
    buckets_.assign(1, 0);
  } else if (bucket < first_bucket_) {
    buckets_.insert(buckets_.begin(), static_cast<std::size_t>(first_bucket_ - bucket), 0);
    first_bucket_ = bucket;
  } else if (bucket - first_bucket_ >= static_cast<std::int32_t>(buckets_.size())) {
    buckets_.resize(static_cast<std::size_t>(bucket - first_bucket_) + 1, 0);
  }
  buckets_[static_cast<std::size_t>(bucket - first_bucket_)] += n;
}

void SampleSet::fold() {
  double total = 0;
  min_ = max_ = values_.empty() ? 0.0 : values_.front();
  for (const double v : values_) {
    total += v;
    min_ = std::min(min_, v);
    max_ = std::max(max_, v);
  }
  shift_ = values_.empty() ? 0.0 : total / static_cast<double>(values_.size());
  sum_ = sum_squares_ = 0;
  for (const double v : values_) {
    const double d = v - shift_;
    sum_ += d;
    sum_squares_ += d * d;
    count_in_bucket(v);
  }
  values_.clear();
  values_.shrink_to_fit();
  folded_ = true;
}

void SampleSet::clear() {
  values_.clear();
  folded_ = false;
  buckets_.clear();
  first_bucket_ = 0;
  zeros_ = 0;
  count_ = 0;
  shift_ = sum_ = sum_squares_ = 0;
  min_ = max_ = 0;
}

void SampleSet::merge(const SampleSet& other) {
  if (other.count_ == 0) return;
  if (!other.folded_) {
    if (!folded_ && values_.size() + other.values_.size() > exact_limit_) fold();
    if (folded_) {
      for (const double v : other.values_) add_folded(v);
    } else {
      values_.insert(values_.end(), other.values_.begin(), other.values_.end());
      count_ += other.count_;
    }
    return;
  }
  if (!folded_) fold();
  if (count_ == 0) {
    min_ = other.min_;
    max_ = other.max_;
    shift_ = other.shift_;
  }
  // Re-centre the other's sums on this shift: Σ(x − s) = Σ(x − s') + n(s' − s).
  const double n = static_cast<double>(other.count_);
  const double delta = other.shift_ - shift_;
  sum_ += other.sum_ + n * delta;
  sum_squares_ += other.sum_squares_ + 2 * delta * other.sum_ + n * delta * delta;
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  zeros_ += other.zeros_;
  for (std::size_t i = 0; i < other.buckets_.size(); ++i)
    if (other.buckets_[i] != 0)
      count_in_bucket(bucket_value(other.first_bucket_ + static_cast<std::int32_t>(i)),
                      other.buckets_[i]);
}

std::int32_t SampleSet::bucket_of(double value) {
  // frexp's exponent and the top bits of the mantissa, read from the bits of a normal positive
  // double (values at or below kZero never get here): no library call on the hot path.
  const auto bits = std::bit_cast<std::uint64_t>(value);
  const auto exponent = static_cast<std::int32_t>((bits >> 52) & 0x7FF) - 1022;
  const auto sub = static_cast<std::int32_t>((bits >> (52 - kSubBits)) & ((1 << kSubBits) - 1));
  return exponent * (1 << kSubBits) + sub;
}

double SampleSet::bucket_value(std::int32_t bucket) {
  const int exponent = static_cast<int>(std::floor(static_cast<double>(bucket) / (1 << kSubBits)));
  const int sub = bucket - exponent * (1 << kSubBits);
  const double mantissa = 0.5 + (static_cast<double>(sub) + 0.5) / (2.0 * (1 << kSubBits));
  return std::ldexp(mantissa, exponent);
}

double SampleSet::percentile_folded(double q) const {
  const double rank = q / 100.0 * static_cast<double>(count_ - 1);
  std::uint64_t seen = zeros_;
  if (static_cast<double>(seen) > rank) return std::clamp(0.0, min_, max_);
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (buckets_[i] != 0 && static_cast<double>(seen) > rank)
      return std::clamp(bucket_value(first_bucket_ + static_cast<std::int32_t>(i)), min_, max_);
  }
  return max_;
}

std::optional<Distribution> SampleSet::summarize() const {
  if (count_ == 0) return std::nullopt;
  if (!folded_) return summarize_values(values_);
  Distribution d;
  const double n = static_cast<double>(count_);
  d.count = count_;
  d.mean = shift_ + sum_ / n;
  d.std = std::sqrt(std::max(0.0, (sum_squares_ - sum_ * sum_ / n) / n));
  d.min = min_;
  d.max = max_;
  d.p50 = percentile_folded(50);
  d.p90 = percentile_folded(90);
  d.p95 = percentile_folded(95);
  d.p99 = percentile_folded(99);
  return d;
}

}  // namespace servemeter
