#include "core/duration_set.h"

#include <immintrin.h>

#include <algorithm>
#include <bit>
#include <climits>
#include <cmath>
#include <cstring>

namespace servemeter {
namespace {

__extension__ typedef __int128 Int128;

// 2^9 buckets per power of two (a value's exponent and the top 9 bits of its mantissa as a
// double; a bucket spans 0.2% of its values), each of the values below 1024 its own: monotone in
// the value, so a rank's bucket is found from the counts alone. Values at or below 1 share bucket
// 0.
constexpr int kSubBits = 9;
constexpr int kMantissaShift = 52 - kSubBits;
constexpr std::uint64_t kFirstBucket = std::bit_cast<std::uint64_t>(1.0) >> kMantissaShift;
constexpr std::size_t kBuckets = std::size_t{63} << kSubBits;
static_assert(kBuckets <= 65536, "a bucket is stored in 16 bits");

inline std::size_t bucket_of(std::int64_t v) noexcept {
  const double d = static_cast<double>(v > 1 ? v : 1);
  return static_cast<std::size_t>((std::bit_cast<std::uint64_t>(d) >> kMantissaShift) -
                                  kFirstBucket);
}

inline std::uint64_t magnitude_of(std::int64_t v) noexcept {
  return v < 0 ? 0 - static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v);
}

inline std::int64_t difference(std::int64_t later, std::int64_t earlier) noexcept {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(later) -
                                   static_cast<std::uint64_t>(earlier));
}

// Beyond these the integer sums could overflow; the moments are then taken in double.
constexpr std::uint64_t kIntegerMomentsBelow = std::uint64_t{1} << 40;
constexpr std::size_t kIntegerMomentsCount = std::size_t{1} << 22;

// What one summary needs: the ranks of the minimum, the maximum and each percentile's two
// neighbours (numpy's linear interpolation), each rank's bucket and its rank inside it.
struct Plan {
  std::size_t total = 0;
  std::vector<std::size_t> ranks;           // ascending, distinct
  std::vector<std::size_t> rank_in_bucket;  // per rank
  std::vector<std::uint8_t> slot_of_rank;   // per rank: its bucket's index in `buckets`
  std::vector<std::size_t> buckets;         // distinct, ascending (at most 10)
};

template <class Count>
Plan plan_for(std::size_t total, Count&& count) {
  Plan plan;
  plan.total = total;
  plan.ranks = percentile_ranks(total);
  plan.ranks.push_back(0);
  plan.ranks.push_back(total - 1);
  std::sort(plan.ranks.begin(), plan.ranks.end());
  plan.ranks.erase(std::unique(plan.ranks.begin(), plan.ranks.end()), plan.ranks.end());
  std::size_t bucket = 0, before = 0;
  for (const std::size_t rank : plan.ranks) {
    while (before + count(bucket) <= rank) before += count(bucket++);
    if (plan.buckets.empty() || plan.buckets.back() != bucket) plan.buckets.push_back(bucket);
    plan.slot_of_rank.push_back(static_cast<std::uint8_t>(plan.buckets.size() - 1));
    plan.rank_in_bucket.push_back(rank - before);
  }
  return plan;
}

struct Moments {
  std::size_t total = 0;
  std::int64_t sum = 0;
  Uint128 squares = 0;
  std::uint64_t magnitude = 0;
  bool integer() const { return magnitude < kIntegerMomentsBelow && total < kIntegerMomentsCount; }
};

// What one batch of gaps adds to a set's sums: the OR of the gaps (its sign bit: one was
// negative) and Σ gap², exact while every gap is under 2^40.
struct GapSums {
  std::uint64_t bits = 0;
  Uint128 squares = 0;
};

// Writes each gap, and its bucket, and counts it.
GapSums add_gaps_portable(const std::int64_t* stamps, std::size_t n, std::int64_t* out,
                          std::uint16_t* out_buckets, std::uint32_t* counts) {
  GapSums sums;
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t gap = difference(stamps[i + 1], stamps[i]);
    const auto g = static_cast<std::uint64_t>(gap);
    out[i] = gap;
    sums.bits |= g;
    sums.squares += static_cast<Uint128>(g) * g;
    const std::size_t b = bucket_of(gap);
    out_buckets[i] = static_cast<std::uint16_t>(b);
    ++counts[b];
  }
  return sums;
}

// The same, eight gaps at a time with AVX-512 (F, DQ): differences, buckets (the double
// conversion of bucket_of) and squares in vectors, only the counting one by one. (The maskz_
// forms with every lane set: GCC 12 warns that the plain ones read an uninitialised vector.) A
// square is summed in three parts of 20-bit halves (g = h·2^20 + l: g² = h²·2^40 + 2hl·2^20 + l²),
// each a 32-bit multiply, exact for every gap under 2^40 as the integer moments need.
[[gnu::target("avx512f,avx512dq")]] GapSums add_gaps_avx512(const std::int64_t* stamps,
                                                            std::size_t n, std::int64_t* out,
                                                            std::uint16_t* out_buckets,
                                                            std::uint32_t* counts) {
  const __m512i one = _mm512_set1_epi64(1);
  const __m512i first_bucket = _mm512_set1_epi64(static_cast<long long>(kFirstBucket));
  const __m512i low_bits = _mm512_set1_epi64((1 << 20) - 1);
  __m512i bits = _mm512_setzero_si512();
  __m512i high_squares = _mm512_setzero_si512(), cross = _mm512_setzero_si512(),
          low_squares = _mm512_setzero_si512();
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m512i gap =
        _mm512_sub_epi64(_mm512_loadu_si512(stamps + i + 1), _mm512_loadu_si512(stamps + i));
    _mm512_storeu_si512(out + i, gap);
    bits = _mm512_or_si512(bits, gap);
    const __m512d as_double =
        _mm512_maskz_cvtepi64_pd(0xFF, _mm512_maskz_max_epi64(0xFF, gap, one));
    const __m512i bucket = _mm512_sub_epi64(
        _mm512_maskz_srli_epi64(0xFF, _mm512_castpd_si512(as_double), kMantissaShift),
        first_bucket);
    const __m128i buckets = _mm512_maskz_cvtepi64_epi16(0xFF, bucket);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out_buckets + i), buckets);
    const __m512i high = _mm512_maskz_srli_epi64(0xFF, gap, 20);
    const __m512i low = _mm512_and_si512(gap, low_bits);
    high_squares = _mm512_add_epi64(high_squares, _mm512_maskz_mul_epu32(0xFF, high, high));
    cross = _mm512_add_epi64(cross, _mm512_maskz_mul_epu32(0xFF, high, low));
    low_squares = _mm512_add_epi64(low_squares, _mm512_maskz_mul_epu32(0xFF, low, low));
    // From the register, not read back from the store just made (which would wait for it).
    const auto lanes = static_cast<std::uint64_t>(_mm_cvtsi128_si64(buckets));
    const auto upper = static_cast<std::uint64_t>(_mm_extract_epi64(buckets, 1));
    for (int k = 0; k < 4; ++k) ++counts[(lanes >> (16 * k)) & 0xFFFF];
    for (int k = 0; k < 4; ++k) ++counts[(upper >> (16 * k)) & 0xFFFF];
  }
  const GapSums rest = add_gaps_portable(stamps + i, n - i, out + i, out_buckets + i, counts);
  // Lane by lane (GCC 12 warns on its own reduction intrinsics).
  alignas(64) std::uint64_t lanes[4][8];
  _mm512_store_si512(lanes[0], bits);
  _mm512_store_si512(lanes[1], high_squares);
  _mm512_store_si512(lanes[2], cross);
  _mm512_store_si512(lanes[3], low_squares);
  GapSums sums = rest;
  std::uint64_t high_sum = 0, cross_sum = 0, low_sum = 0;
  for (std::size_t k = 0; k < 8; ++k) {
    sums.bits |= lanes[0][k];
    high_sum += lanes[1][k];
    cross_sum += lanes[2][k];
    low_sum += lanes[3][k];
  }
  sums.squares +=
      (static_cast<Uint128>(high_sum) << 40) + (static_cast<Uint128>(cross_sum) << 21) + low_sum;
  return sums;
}

// The positions of the values whose bucket is wanted (about one in ten, at random), into `hit`
// (room for n + 32). Without branches: a branch per value would be mispredicted.
std::size_t find_wanted_portable(const std::uint16_t* bucket, std::size_t n,
                                 const std::uint8_t* want, std::uint32_t* hit) {
  std::size_t found = 0;
  for (std::size_t j = 0; j < n; ++j) {
    hit[found] = static_cast<std::uint32_t>(j);
    found += want[bucket[j]] != 0 ? 1 : 0;
  }
  return found;
}

// The same, 32 buckets at a time compared with each wanted bucket (at most 20) with AVX-512 BW.
[[gnu::target("avx512f,avx512bw")]] std::size_t find_wanted_avx512(
    const std::uint16_t* bucket, std::size_t n, std::span<const std::uint16_t> targets,
    std::uint32_t* hit) {
  __m512i wanted[20];
  const std::size_t k_count = std::min<std::size_t>(targets.size(), 20);
  for (std::size_t k = 0; k < k_count; ++k)
    wanted[k] = _mm512_set1_epi16(static_cast<short>(targets[k]));
  std::size_t found = 0, j = 0;
  for (; j + 32 <= n; j += 32) {
    const __m512i b = _mm512_loadu_si512(bucket + j);
    __mmask32 match = 0;
    for (std::size_t k = 0; k < k_count; ++k) match |= _mm512_cmpeq_epi16_mask(b, wanted[k]);
    for (std::uint32_t m = match; m != 0; m &= m - 1)
      hit[found++] = static_cast<std::uint32_t>(j + static_cast<std::size_t>(std::countr_zero(m)));
  }
  for (; j < n; ++j)
    if (std::find(targets.begin(), targets.end(), bucket[j]) != targets.end())
      hit[found++] = static_cast<std::uint32_t>(j);
  return found;
}

bool prefer_portable = false;

bool vector_code_enabled() {
  static const bool supported = __builtin_cpu_supports("avx512f") &&
                                __builtin_cpu_supports("avx512dq") &&
                                __builtin_cpu_supports("avx512bw");
  return supported && !prefer_portable;
}

}  // namespace

DurationSet::DurationSet(double time_scale, std::size_t exact_limit)
    : scale_(time_scale), exact_limit_(exact_limit) {}
DurationSet::DurationSet(DurationSet&&) noexcept = default;
DurationSet& DurationSet::operator=(DurationSet&&) noexcept = default;
DurationSet::~DurationSet() = default;

double DurationSet::to_ms(std::int64_t ns) const noexcept {
  return static_cast<double>(ns) / 1e6 * scale_;
}

std::size_t DurationSet::count() const noexcept {
  return folded_ ? folded_->count() : size_;
}

std::size_t DurationSet::buckets_used() const noexcept {
  if (counts_.empty()) return 0;
  const auto largest = static_cast<std::int64_t>(
      std::min<std::uint64_t>(magnitude_, static_cast<std::uint64_t>(INT64_MAX)));
  return bucket_of(largest) + 1;
}

void DurationSet::grow(std::size_t capacity) {
  auto values = std::make_unique_for_overwrite<std::int64_t[]>(capacity);
  auto buckets = std::make_unique_for_overwrite<std::uint16_t[]>(capacity);
  if (size_ != 0) {
    std::memcpy(values.get(), values_.get(), size_ * sizeof(std::int64_t));
    std::memcpy(buckets.get(), buckets_.get(), size_ * sizeof(std::uint16_t));
  }
  values_ = std::move(values);
  buckets_ = std::move(buckets);
  capacity_ = capacity;
}

void DurationSet::reserve(std::size_t n) {
  n = std::min(n, exact_limit_);
  if (!folded_ && n > capacity_) grow(n);
}

void DurationSet::clear(double time_scale) {
  scale_ = time_scale;
  std::fill_n(counts_.begin(), buckets_used(), 0);
  size_ = 0;
  sum_ = 0;
  squares_ = 0;
  magnitude_ = 0;
  folded_.reset();
}

void DurationSet::add(std::int64_t ns) {
  if (!folded_ && size_ == exact_limit_) fold();
  if (folded_) {
    folded_->add(to_ms(ns));
    return;
  }
  if (size_ == capacity_) grow(std::max<std::size_t>(64, 2 * capacity_));
  if (counts_.empty()) counts_.assign(kBuckets, 0);
  const std::size_t b = bucket_of(ns);
  buckets_[size_] = static_cast<std::uint16_t>(b);
  values_[size_++] = ns;
  sum_ =
      static_cast<std::int64_t>(static_cast<std::uint64_t>(sum_) + static_cast<std::uint64_t>(ns));
  const std::uint64_t m = magnitude_of(ns);
  magnitude_ |= m;
  squares_ += static_cast<Uint128>(m) * m;
  ++counts_[b];
}

void DurationSet::add_gaps(std::span<const std::int64_t> stamps) {
  if (stamps.size() < 2) return;
  const std::size_t n = stamps.size() - 1;
  if (folded_ || size_ + n > exact_limit_) {
    for (std::size_t i = 0; i < n; ++i) add(difference(stamps[i + 1], stamps[i]));
    return;
  }
  if (capacity_ < size_ + n) grow(std::max(size_ + n, 2 * capacity_));
  if (counts_.empty()) counts_.assign(kBuckets, 0);
  std::int64_t* out = values_.get() + size_;
  const GapSums sums =
      vector_code_enabled()
          ? add_gaps_avx512(stamps.data(), n, out, buckets_.get() + size_, counts_.data())
          : add_gaps_portable(stamps.data(), n, out, buckets_.get() + size_, counts_.data());
  std::uint64_t bits = sums.bits;
  Uint128 squares = sums.squares;
  if (static_cast<std::int64_t>(bits) < 0) {
    // Stamps out of order (never from the clock or the log): square the magnitudes instead.
    bits = 0;
    squares = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint64_t m = magnitude_of(out[i]);
      bits |= m;
      squares += static_cast<Uint128>(m) * m;
    }
  }
  size_ += n;
  sum_ = static_cast<std::int64_t>(static_cast<std::uint64_t>(sum_) +
                                   static_cast<std::uint64_t>(difference(stamps[n], stamps[0])));
  magnitude_ |= bits;
  squares_ += squares;
}

// At the same point as SampleSet's own fold, and in the order added: the values so far move
// into one, which folds when the next value exceeds the bound.
void DurationSet::fold() {
  auto folded = std::make_unique<SampleSet>(exact_limit_);
  for (std::size_t i = 0; i < size_; ++i) folded->add(to_ms(values_[i]));
  folded_ = std::move(folded);
  values_.reset();
  buckets_.reset();
  size_ = capacity_ = 0;
  counts_ = {};
}

std::optional<Distribution> DurationSet::summarize() const {
  const DurationSet* self = this;
  return summarize_each(std::span(&self, 1)).front();
}

void DurationSet::prefer_portable_code(bool portable) {
  prefer_portable = portable;
}

bool DurationSet::all_exact(std::span<const DurationSet* const> sets) {
  return std::none_of(sets.begin(), sets.end(),
                      [](const DurationSet* s) { return s->folded_ != nullptr; });
}

std::vector<std::optional<Distribution>> DurationSet::summarize_each(
    std::span<const DurationSet* const> sets, std::optional<Distribution>* pooled) {
  std::vector<std::optional<Distribution>> out(sets.size());
  std::size_t total = 0;
  for (const DurationSet* s : sets) total += s->count();
  if (pooled != nullptr) pooled->reset();
  if (total == 0) return out;
  const DurationSet& first =
      **std::find_if(sets.begin(), sets.end(), [](const DurationSet* s) { return s->count() > 0; });

  if (!all_exact(sets)) {
    for (std::size_t i = 0; i < sets.size(); ++i)
      out[i] = sets[i]->folded_ ? sets[i]->folded_->summarize() : sets[i]->summarize();
    if (pooled != nullptr) {
      SampleSet merged(first.exact_limit_);
      for (const DurationSet* s : sets) {
        if (s->folded_) {
          merged.merge(*s->folded_);
        } else {
          for (std::size_t i = 0; i < s->size_; ++i) merged.add(s->to_ms(s->values_[i]));
        }
      }
      *pooled = merged.summarize();
    }
    return out;
  }

  std::size_t used = 0;
  for (const DurationSet* s : sets) used = std::max(used, s->buckets_used());
  std::vector<std::uint64_t> pooled_counts;
  Plan pool_plan;
  if (pooled != nullptr) {
    pooled_counts.assign(used, 0);
    for (const DurationSet* s : sets)
      for (std::size_t b = 0, end = s->buckets_used(); b < end; ++b)
        pooled_counts[b] += s->counts_[b];
    pool_plan = plan_for(total, [&](std::size_t b) { return pooled_counts[b]; });
  }
  std::vector<std::vector<std::int64_t>> pool_held(pool_plan.buckets.size());
  for (std::size_t k = 0; k < pool_plan.buckets.size(); ++k)
    pool_held[k].reserve(pooled_counts[pool_plan.buckets[k]]);

  // The values at a plan's ranks, from the values held of its buckets.
  const auto finish = [&](const Plan& plan, std::vector<std::vector<std::int64_t>>& held,
                          const Moments& moments,
                          std::span<const DurationSet* const> owners) -> Distribution {
    std::vector<double> at(plan.ranks.size());
    for (std::size_t i = 0; i < plan.ranks.size(); ++i) {
      auto& in = held[plan.slot_of_rank[i]];
      const auto it = in.begin() + static_cast<std::ptrdiff_t>(plan.rank_in_bucket[i]);
      std::nth_element(in.begin(), it, in.end());
      at[i] = first.to_ms(*it);
    }
    const auto value_at = [&](std::size_t rank) {
      return at[static_cast<std::size_t>(
          std::lower_bound(plan.ranks.begin(), plan.ranks.end(), rank) - plan.ranks.begin())];
    };
    const std::size_t n = plan.total;
    const double count = static_cast<double>(n);
    Distribution d;
    d.count = n;
    d.min = value_at(0);
    d.max = value_at(n - 1);
    set_percentiles(d, n, value_at);
    if (moments.integer()) {
      // Exact integers: Σv and Σv², then n²·variance = nΣv² − (Σv)².
      const Int128 spread = static_cast<Int128>(n) * static_cast<Int128>(moments.squares) -
                            static_cast<Int128>(moments.sum) * moments.sum;
      d.mean = static_cast<double>(moments.sum) / count / 1e6 * first.scale_;
      d.std = std::sqrt(static_cast<double>(spread) / count / count) / 1e6 * first.scale_;
    } else {
      double sum = 0, squares = 0;
      for (const DurationSet* s : owners)
        for (std::size_t i = 0; i < s->size_; ++i) sum += s->to_ms(s->values_[i]);
      d.mean = sum / count;
      for (const DurationSet* s : owners)
        for (std::size_t i = 0; i < s->size_; ++i) {
          const double v = s->to_ms(s->values_[i]) - d.mean;
          squares += v * v;
        }
      d.std = std::sqrt(squares / count);
    }
    return d;
  };

  // One pass over each set's values takes what its own summary and the pooled one need: a byte
  // per bucket says which (low half: the set's, high half: the pool's, each as slot + 1).
  std::vector<std::uint8_t> wanted(used);
  thread_local std::vector<std::uint32_t> hits;  // grown once, not zeroed cell after cell
  Moments pool_moments;
  for (std::size_t i = 0; i < sets.size(); ++i) {
    const DurationSet& s = *sets[i];
    if (s.size_ == 0) continue;
    const Plan plan = plan_for(s.size_, [&](std::size_t b) { return s.counts_[b]; });
    std::fill(wanted.begin(), wanted.end(), 0);
    std::vector<std::vector<std::int64_t>> held(plan.buckets.size());
    for (std::size_t k = 0; k < plan.buckets.size(); ++k) {
      wanted[plan.buckets[k]] = static_cast<std::uint8_t>(k + 1);
      held[k].reserve(s.counts_[plan.buckets[k]]);
    }
    for (std::size_t k = 0; k < pool_plan.buckets.size(); ++k)
      wanted[pool_plan.buckets[k]] |= static_cast<std::uint8_t>((k + 1) << 4);
    const std::uint8_t* want = wanted.data();
    const std::uint16_t* bucket = s.buckets_.get();
    hits.resize(s.size_ + 32);
    std::vector<std::uint16_t> targets(plan.buckets.begin(), plan.buckets.end());
    targets.insert(targets.end(), pool_plan.buckets.begin(), pool_plan.buckets.end());
    std::sort(targets.begin(), targets.end());  // the set's and the pool's are often the same
    targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
    const std::size_t found = vector_code_enabled()
                                  ? find_wanted_avx512(bucket, s.size_, targets, hits.data())
                                  : find_wanted_portable(bucket, s.size_, want, hits.data());
    const std::uint32_t* hit = hits.data();
    for (std::size_t h = 0; h < found; ++h) {
      const std::uint32_t j = hit[h];
      const std::uint8_t w = want[bucket[j]];
      const std::int64_t v = s.values_[j];
      if ((w & 0x0F) != 0) held[(w & 0x0F) - 1].push_back(v);
      if ((w >> 4) != 0) pool_held[(w >> 4) - 1].push_back(v);
    }
    const Moments moments{s.size_, s.sum_, s.squares_, s.magnitude_};
    out[i] = finish(plan, held, moments, std::span(&sets[i], 1));
    pool_moments.total += s.size_;
    // Wrapping: with gaps of 2^40 ns or more the sums are not used, and may not add up.
    pool_moments.sum = static_cast<std::int64_t>(static_cast<std::uint64_t>(pool_moments.sum) +
                                                 static_cast<std::uint64_t>(s.sum_));
    pool_moments.squares += s.squares_;
    pool_moments.magnitude |= s.magnitude_;
  }
  if (pooled != nullptr) *pooled = finish(pool_plan, pool_held, pool_moments, sets);
  return out;
}

}  // namespace servemeter
