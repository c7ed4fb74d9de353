#include "results/token_gaps.h"

#include <immintrin.h>

#include <array>
#include <bit>
#include <cstring>
#include <limits>

namespace servemeter {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::uint8_t kInvalid = 0xFF;

constexpr std::array<std::uint8_t, 256> make_decode_table() {
  std::array<std::uint8_t, 256> table{};
  for (auto& v : table) v = kInvalid;
  for (std::uint8_t i = 0; i < 64; ++i) table[static_cast<unsigned char>(kAlphabet[i])] = i;
  return table;
}
constexpr std::array<std::uint8_t, 256> kDecode = make_decode_table();

// Two characters at a time: the 12 bits they carry, or kInvalidPair when either is not base64url.
constexpr std::uint16_t kInvalidPair = 0xF000;
std::array<std::uint16_t, 65536> make_pair_table() {
  std::array<std::uint16_t, 65536> table{};
  for (unsigned first = 0; first < 256; ++first)
    for (unsigned second = 0; second < 256; ++second) {
      const std::uint8_t a = kDecode[first], b = kDecode[second];
      // Indexed by the two bytes as they lie in memory (first in the low byte).
      table[first | (second << 8)] = (a == kInvalid || b == kInvalid)
                                         ? kInvalidPair
                                         : static_cast<std::uint16_t>((a << 6) | b);
    }
  return table;
}
const std::array<std::uint16_t, 65536> kDecodePair = make_pair_table();

// The value of a varint of `length` bytes (1–8) at the low end of `word` (little-endian):
// the 7 low bits of each byte, gathered.
inline std::uint64_t gather_varint(std::uint64_t word, int length) {
  std::uint64_t x = word & 0x7F7F7F7F7F7F7F7FULL;
  if (length < 8) x &= (std::uint64_t{1} << (8 * length)) - 1;
  x = ((x & 0x7F007F007F007F00ULL) >> 1) | (x & 0x007F007F007F007FULL);
  x = ((x & 0x3FFF00003FFF0000ULL) >> 2) | (x & 0x00003FFF00003FFFULL);
  x = ((x & 0x0FFFFFFF00000000ULL) >> 4) | (x & 0x000000000FFFFFFFULL);
  return x;
}

}  // namespace

void append_token_gaps(std::string& out, std::int64_t send_ns,
                       std::span<const std::int64_t> event_ns) {
  std::uint32_t bits = 0;  // pending bits, most significant first
  int nbits = 0;
  auto put_byte = [&](std::uint8_t byte) {
    bits = (bits << 8) | byte;
    nbits += 8;
    while (nbits >= 6) {
      nbits -= 6;
      out.push_back(kAlphabet[(bits >> nbits) & 0x3F]);
    }
  };
  std::int64_t previous = send_ns;
  for (const std::int64_t stamp : event_ns) {
    auto gap = static_cast<std::uint64_t>(stamp > previous ? stamp - previous : 0);
    previous = std::max(previous, stamp);
    while (gap >= 0x80) {
      put_byte(static_cast<std::uint8_t>(gap | 0x80));
      gap >>= 7;
    }
    put_byte(static_cast<std::uint8_t>(gap));
  }
  if (nbits > 0) out.push_back(kAlphabet[(bits << (6 - nbits)) & 0x3F]);
}

namespace {

// kDecode's first 128 entries, as two tables of 64 for one two-table byte lookup (invalid: 0xFF,
// its high bit set).
alignas(64) constexpr std::array<std::uint8_t, 128> kDecode128 = [] {
  std::array<std::uint8_t, 128> table{};
  for (std::size_t i = 0; i < 128; ++i) table[i] = kDecode[i];
  return table;
}();
// Each 32-bit lane holds 24 bits after the multiply-adds, least significant byte first; the
// output wants them most significant first: bytes 2, 1, 0 of lane 0, then of lane 1...
alignas(64) constexpr std::array<std::uint8_t, 64> kPackOrder = [] {
  std::array<std::uint8_t, 64> order{};
  for (int i = 0; i < 48; ++i)
    order[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(i / 3 * 4 + (2 - i % 3));
  return order;
}();

// Lane i of the result: lanes 0..i of `v` summed. (The maskz_ forms with every lane set: GCC
// 12 warns that the plain ones read an uninitialised vector.)
[[gnu::target("avx512f"), gnu::always_inline]] inline __m512i running_sum(__m512i v) {
  const __m512i zero = _mm512_setzero_si512();
  v = _mm512_add_epi64(v, _mm512_maskz_alignr_epi64(0xFF, v, zero, 7));
  v = _mm512_add_epi64(v, _mm512_maskz_alignr_epi64(0xFF, v, zero, 6));
  return _mm512_add_epi64(v, _mm512_maskz_alignr_epi64(0xFF, v, zero, 4));
}

// The same decoding, with AVX-512 VBMI and BMI2 (this machine kind has them): 64 characters of
// base64url turned into 48 bytes by a few instructions (a 128-entry table lookup, two
// multiply-adds, one byte shuffle), the varint ends found by one compare per 64 bytes, each
// varint gathered by one `pext`. The characters after the last whole 64 go the scalar way.
// `event_ns` is not cleared first: it is resized to the count once, so a vector reused line
// after line is not filled with zeros each time. A caller clears it when this fails.
[[gnu::target("avx512f,avx512bw,avx512vbmi,bmi2")]] bool decode_avx512(
    std::string_view text, std::int64_t send_ns, std::vector<std::int64_t>& event_ns) {
  if (text.size() % 4 == 1) return false;
  thread_local std::vector<std::uint8_t> bytes;
  bytes.resize(text.size() / 4 * 3 + 3 + 64);  // slack: 64-byte stores and loads
  std::uint8_t* out = bytes.data();
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* const end = p + text.size();
  const __m512i low_table = _mm512_load_si512(kDecode128.data());
  const __m512i high_table = _mm512_load_si512(kDecode128.data() + 64);
  const __m512i pack_order = _mm512_load_si512(kPackOrder.data());
  const __m512i pair_weights = _mm512_set1_epi32(0x01400140);  // a·64 + b per two characters
  const __m512i quad_weights = _mm512_set1_epi32(0x00011000);  // ab·4096 + cd per four
  __mmask64 invalid = 0;
  for (; end - p >= 64; p += 64) {
    const __m512i chars = _mm512_loadu_si512(p);
    const __m512i sextets = _mm512_permutex2var_epi8(low_table, chars, high_table);
    // A character of 128 or more, or one the table marks: a high bit in either.
    invalid |= _mm512_movepi8_mask(_mm512_or_si512(sextets, chars));
    const __m512i pairs = _mm512_maddubs_epi16(sextets, pair_weights);
    const __m512i quads = _mm512_madd_epi16(pairs, quad_weights);
    _mm512_storeu_si512(out, _mm512_maskz_permutexvar_epi8(~__mmask64{0}, pack_order, quads));
    out += 48;
  }
  if (invalid != 0) return false;
  std::uint32_t invalid_pairs = 0;
  for (; end - p >= 4; p += 4) {
    std::uint16_t first = 0, second = 0;
    std::memcpy(&first, p, 2);
    std::memcpy(&second, p + 2, 2);
    const std::uint32_t hi = kDecodePair[first], lo = kDecodePair[second];
    invalid_pairs |= hi | lo;
    const std::uint32_t v = __builtin_bswap32(((hi << 12) | lo) << 8);
    std::memcpy(out, &v, 4);
    out += 3;
  }
  if ((invalid_pairs & kInvalidPair) != 0) return false;
  const auto rest = static_cast<int>(end - p);
  if (rest > 0) {
    std::uint32_t v = 0;
    for (int i = 0; i < rest; ++i) {
      const std::uint8_t x = kDecode[p[i]];
      if (x == kInvalid) return false;
      v = (v << 6) | x;
    }
    const int n = rest - 1;
    v >>= (rest == 2 ? 4 : 2);
    for (int i = n - 1; i >= 0; --i) *out++ = static_cast<std::uint8_t>(v >> (8 * i));
  }
  const std::uint8_t* const base = bytes.data();
  const std::size_t size = static_cast<std::size_t>(out - base);
  std::memset(out, 0, 64);  // the slack read by the 64-byte loads past the end
  // Each varint ends at a byte without its high bit: counted first, so the stamps are written
  // straight into a vector sized once.
  std::size_t count = 0;
  for (std::size_t block = 0; block < size; block += 64) {
    std::uint64_t ends = ~_mm512_movepi8_mask(_mm512_loadu_si512(base + block));
    if (size - block < 64) ends &= (std::uint64_t{1} << (size - block)) - 1;
    count += static_cast<std::size_t>(std::popcount(ends));
  }
  event_ns.resize(count);
  std::int64_t* stamp = event_ns.data();
  std::int64_t t = send_ns;
  std::size_t start = 0;
  const __m512i seven_bits = _mm512_set1_epi32(0x7F7F7F7F);
  const __m512i pair_high = _mm512_set1_epi32(0x7F007F00), pair_low = _mm512_set1_epi32(0x007F007F);
  const __m512i half_high = _mm512_set1_epi32(0x3FFF0000), half_low = _mm512_set1_epi32(0x3FFF);
  const __m512i last_lane = _mm512_set1_epi64(7);
  while (start < size) {
    const __m512i window = _mm512_loadu_si512(base + start);
    std::uint64_t ends = ~_mm512_movepi8_mask(window);
    if (size - start < 64) ends &= (std::uint64_t{1} << (size - start)) - 1;
    // Sixteen gaps of four bytes each (2.1 ms to 268 ms: most inter-token gaps): gathered and
    // summed into stamps in vectors. They add at most 2^32, checked once.
    if (ends == 0x8888888888888888ULL &&
        t <= std::numeric_limits<std::int64_t>::max() - (std::int64_t{1} << 32)) {
      __m512i x = _mm512_and_si512(window, seven_bits);
      x = _mm512_or_si512(_mm512_maskz_srli_epi32(0xFFFF, _mm512_and_si512(x, pair_high), 1),
                          _mm512_and_si512(x, pair_low));
      x = _mm512_or_si512(_mm512_maskz_srli_epi32(0xFFFF, _mm512_and_si512(x, half_high), 2),
                          _mm512_and_si512(x, half_low));
      const __m512i low = running_sum(_mm512_add_epi64(
          _mm512_maskz_cvtepu32_epi64(0xFF, _mm512_maskz_extracti64x4_epi64(0xF, x, 0)),
          _mm512_maskz_mov_epi64(0x01, _mm512_set1_epi64(t))));
      const __m512i high = _mm512_add_epi64(running_sum(_mm512_maskz_cvtepu32_epi64(
                                                0xFF, _mm512_maskz_extracti64x4_epi64(0xF, x, 1))),
                                            _mm512_maskz_permutexvar_epi64(0xFF, last_lane, low));
      _mm512_storeu_si512(stamp, low);
      _mm512_storeu_si512(stamp + 8, high);
      t = stamp[15];
      stamp += 16;
      start += 64;
      continue;
    }
    if (ends == 0) return false;  // no varint ends: truncated, or one longer than 64 bytes
    const std::size_t window_start = start;
    while (ends != 0) {
      const std::size_t end_at = window_start + static_cast<std::size_t>(std::countr_zero(ends));
      ends &= ends - 1;
      const std::size_t length = end_at - start + 1;
      std::uint64_t word = 0;
      std::memcpy(&word, base + start, 8);
      std::uint64_t value = 0;
      if (length <= 8) {  // under 2^56
        value =
            _bzhi_u64(_pext_u64(word, 0x7F7F7F7F7F7F7F7FULL), static_cast<unsigned>(7 * length));
      } else if (length == 9) {
        value = _pext_u64(word, 0x7F7F7F7F7F7F7F7FULL) |
                (static_cast<std::uint64_t>(base[start + 8]) << 56);
        if (value > (std::uint64_t{1} << 62)) return false;
      } else {
        return false;
      }
      // Gaps each in range can still add up past the largest stamp (a damaged or hostile log).
      if (__builtin_add_overflow(t, static_cast<std::int64_t>(value), &t)) return false;
      *stamp++ = t;
      start = end_at + 1;
    }
  }
  return true;
}

bool decode_generic(std::string_view text, std::int64_t send_ns,
                    std::vector<std::int64_t>& event_ns) {
  event_ns.clear();
  if (text.size() % 4 == 1) return false;  // base64 never leaves one character over
  // Two tight loops rather than one that does both: base64 to bytes (four characters are three
  // bytes), then bytes to varints. This is the inner loop of `analyze` (a few hundred gaps per
  // request line), so the bytes go to a buffer reused between calls.
  thread_local std::vector<std::uint8_t> bytes;
  bytes.resize(text.size() / 4 * 3 + 3 + 8);  // slack: bytes are written and read by words
  std::uint8_t* out = bytes.data();
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* const end = p + text.size();
  std::uint32_t invalid = 0;  // kInvalidPair has high bits set: OR them all, test once
  for (; end - p >= 4; p += 4) {
    std::uint16_t first = 0, second = 0;
    std::memcpy(&first, p, 2);
    std::memcpy(&second, p + 2, 2);
    const std::uint32_t hi = kDecodePair[first], lo = kDecodePair[second];
    invalid |= hi | lo;
    // The three bytes, most significant first, stored as one word (its fourth byte is
    // overwritten by the next group, or lies in the slack).
    const std::uint32_t v = __builtin_bswap32(((hi << 12) | lo) << 8);
    std::memcpy(out, &v, 4);
    out += 3;
  }
  if ((invalid & kInvalidPair) != 0) return false;
  const auto rest = static_cast<int>(end - p);
  if (rest > 0) {
    std::uint32_t v = 0;
    for (int i = 0; i < rest; ++i) {
      const std::uint8_t x = kDecode[p[i]];
      if (x == kInvalid) return false;
      v = (v << 6) | x;
    }
    // 2 characters carry 1 byte (12 bits, 4 of padding), 3 carry 2 (18 bits, 2 of padding).
    const int n = rest - 1;
    v >>= (rest == 2 ? 4 : 2);
    for (int i = n - 1; i >= 0; --i) *out++ = static_cast<std::uint8_t>(v >> (8 * i));
  }
  // Varints end at the bytes without their high bit. Their positions are found 64 bytes at a
  // time as a bit mask, so each varint is read straight from its start, without waiting for the
  // one before it to be measured.
  const std::uint8_t* const base = bytes.data();
  const std::size_t size = static_cast<std::size_t>(out - base);
  std::memset(out, 0, 8);
  event_ns.reserve(size);
  std::int64_t t = send_ns;
  std::size_t start = 0;
  for (std::size_t block = 0; block < size; block += 64) {
    std::uint64_t ends = 0;
    const std::size_t block_bytes = std::min<std::size_t>(64, size - block);
    for (std::size_t i = 0; i < block_bytes; i += 8) {
      std::uint64_t word = 0;
      std::memcpy(&word, base + block + i, 8);
      // The high bit of each byte, inverted, gathered into 8 bits (byte k → bit k).
      const std::uint64_t high = (~word & 0x8080808080808080ULL) >> 7;
      ends |= ((high * 0x0102040810204080ULL) >> 56) << i;
    }
    if (block_bytes < 64) ends &= (std::uint64_t{1} << block_bytes) - 1;  // not the slack
    while (ends != 0) {
      const std::size_t end = block + static_cast<std::size_t>(std::countr_zero(ends));
      ends &= ends - 1;
      const std::size_t length = end - start + 1;
      std::uint64_t word = 0;
      std::memcpy(&word, base + start, 8);
      std::uint64_t value = 0;
      if (length <= 8) {
        value = gather_varint(word, static_cast<int>(length));
      } else if (length == 9) {  // a gap of 2^56 ns (two years) or more
        value = gather_varint(word, 8) | (static_cast<std::uint64_t>(base[start + 8]) << 56);
      } else {
        return false;  // over 2^63
      }
      if (value > (std::uint64_t{1} << 62)) return false;
      // Gaps each in range can still add up past the largest stamp (a damaged or hostile log).
      if (__builtin_add_overflow(t, static_cast<std::int64_t>(value), &t)) return false;
      event_ns.push_back(t);
      start = end + 1;
    }
  }
  if (start != size) return false;  // the last varint has no end: truncated
  return true;
}

}  // namespace

bool decode_token_gaps(std::string_view text, std::int64_t send_ns,
                       std::vector<std::int64_t>& event_ns) {
  static const bool fast = __builtin_cpu_supports("avx512f") &&
                           __builtin_cpu_supports("avx512bw") &&
                           __builtin_cpu_supports("avx512vbmi") && __builtin_cpu_supports("bmi2");
  if (!fast) return decode_generic(text, send_ns, event_ns);
  if (decode_avx512(text, send_ns, event_ns)) return true;
  event_ns.clear();
  return false;
}

bool decode_token_gaps_portable(std::string_view text, std::int64_t send_ns,
                                std::vector<std::int64_t>& event_ns) {
  return decode_generic(text, send_ns, event_ns);
}

}  // namespace servemeter
