#include "core/sample_set.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace servemeter {
namespace {
// 2^9 sub-buckets per power of two: a bucket spans at most 0.2% of its value, and its midpoint
// is within 0.1% of any value in it.
constexpr int kSubBits = 9;
constexpr std::int32_t kZeroBucket = INT32_MIN;
}  // namespace

void SampleSet::add(double value) {
  if (!std::isfinite(value)) return;
  ++count_;
  const double delta = value - mean_;
  mean_ += delta / static_cast<double>(count_);
  m2_ += delta * (value - mean_);
  if (count_ == 1) {
    min_ = max_ = value;
  } else {
    min_ = std::min(min_, value);
    max_ = std::max(max_, value);
  }
  if (folded_) {
    ++buckets_[bucket_of(value)];
    return;
  }
  values_.push_back(value);
  if (values_.size() > exact_limit_) fold();
}

void SampleSet::fold() {
  for (const double v : values_) ++buckets_[bucket_of(v)];
  values_.clear();
  values_.shrink_to_fit();
  folded_ = true;
}

std::int32_t SampleSet::bucket_of(double value) {
  if (value <= 1e-12) return kZeroBucket;  // latencies are never negative; 0 is its own bucket
  int exponent = 0;
  const double mantissa = std::frexp(value, &exponent);  // [0.5, 1)
  const auto sub = static_cast<std::int32_t>((mantissa - 0.5) * 2.0 * (1 << kSubBits));
  return exponent * (1 << kSubBits) + std::min(sub, (1 << kSubBits) - 1);
}

double SampleSet::bucket_value(std::int32_t bucket) {
  if (bucket == kZeroBucket) return 0.0;
  const int exponent = static_cast<int>(std::floor(static_cast<double>(bucket) / (1 << kSubBits)));
  const int sub = bucket - exponent * (1 << kSubBits);
  const double mantissa = 0.5 + (static_cast<double>(sub) + 0.5) / (2.0 * (1 << kSubBits));
  return std::ldexp(mantissa, exponent);
}

double SampleSet::percentile_folded(double q) const {
  std::map<std::int32_t, std::uint64_t> ordered(buckets_.begin(), buckets_.end());
  const double rank = q / 100.0 * static_cast<double>(count_ - 1);
  std::uint64_t seen = 0;
  for (const auto& [bucket, n] : ordered) {
    seen += n;
    if (static_cast<double>(seen) > rank) return std::clamp(bucket_value(bucket), min_, max_);
  }
  return max_;
}

std::optional<Distribution> SampleSet::summarize() const {
  if (count_ == 0) return std::nullopt;
  if (!folded_) return servemeter::summarize(values_);
  Distribution d;
  d.count = count_;
  d.mean = mean_;
  d.std = std::sqrt(m2_ / static_cast<double>(count_));
  d.min = min_;
  d.max = max_;
  d.p50 = percentile_folded(50);
  d.p90 = percentile_folded(90);
  d.p95 = percentile_folded(95);
  d.p99 = percentile_folded(99);
  return d;
}

}  // namespace servemeter
