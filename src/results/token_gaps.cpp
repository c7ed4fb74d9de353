#include "results/token_gaps.h"

#include <array>

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

// Feeds decoded bytes into varints; `done` receives each finished value.
struct VarintReader {
  std::uint64_t value = 0;
  int shift = 0;
  bool overflow = false;
  template <class Done>
  void byte(std::uint8_t b, Done&& done) {
    if (shift > 56) overflow = true;
    value |= static_cast<std::uint64_t>(b & 0x7F) << (shift > 56 ? 0 : shift);
    if ((b & 0x80) != 0) {
      shift += 7;
      return;
    }
    done(value);
    value = 0;
    shift = 0;
  }
};

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

bool decode_token_gaps(std::string_view text, std::int64_t send_ns,
                       std::vector<std::int64_t>& event_ns) {
  event_ns.clear();
  if (text.size() % 4 == 1) return false;  // base64 never leaves one character over
  std::int64_t t = send_ns;
  VarintReader varint;
  auto done = [&](std::uint64_t gap) {
    t += static_cast<std::int64_t>(gap);
    event_ns.push_back(t);
  };
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* const end = p + text.size();
  // Four characters are three bytes: the common case, without per-bit bookkeeping.
  for (; end - p >= 4; p += 4) {
    const std::uint32_t a = kDecode[p[0]], b = kDecode[p[1]], c = kDecode[p[2]], d = kDecode[p[3]];
    if (((a | b | c | d) & 0xC0) != 0) return false;  // kInvalid has the top bits set
    const std::uint32_t v = (a << 18) | (b << 12) | (c << 6) | d;
    varint.byte(static_cast<std::uint8_t>(v >> 16), done);
    varint.byte(static_cast<std::uint8_t>(v >> 8), done);
    varint.byte(static_cast<std::uint8_t>(v), done);
  }
  const auto rest = static_cast<int>(end - p);
  if (rest > 0) {
    std::uint32_t v = 0;
    for (int i = 0; i < rest; ++i) {
      const std::uint8_t x = kDecode[p[i]];
      if (x == kInvalid) return false;
      v = (v << 6) | x;
    }
    // 2 characters carry 1 byte (12 bits, 4 of padding), 3 carry 2 (18 bits, 2 of padding).
    const int bytes = rest - 1;
    v >>= (rest == 2 ? 4 : 2);
    for (int i = bytes - 1; i >= 0; --i) varint.byte(static_cast<std::uint8_t>(v >> (8 * i)), done);
  }
  return varint.shift == 0 && !varint.overflow;
}

}  // namespace servemeter
