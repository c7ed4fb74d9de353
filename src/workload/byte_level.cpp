#include "workload/byte_level.h"

#include <array>

namespace servemeter::byte_level {
namespace {

constexpr char32_t kAlphabetEnd = 0x144;  // the last byte stands for U+0143
constexpr int kNotInAlphabet = -1;

constexpr bool stands_for_itself(unsigned byte) {
  return (byte >= '!' && byte <= '~') || (byte >= 0xA1 && byte <= 0xAC) || byte >= 0xAE;
}

// byte_of[c]: the byte that code point c stands for, or kNotInAlphabet.
constexpr std::array<int, kAlphabetEnd> build_byte_of() {
  std::array<int, kAlphabetEnd> byte_of{};
  for (auto& b : byte_of) b = kNotInAlphabet;
  char32_t next_stand_in = 0x100;
  for (unsigned byte = 0; byte < 256; ++byte) {
    byte_of[stands_for_itself(byte) ? byte : next_stand_in++] = static_cast<int>(byte);
  }
  return byte_of;
}
constexpr auto kByteOf = build_byte_of();

// Decodes one UTF-8 code point of at most two bytes (the alphabet ends at U+0143); anything
// longer or malformed gives kAlphabetEnd, which is outside the alphabet.
char32_t next_code_point(std::string_view text, std::size_t& i) {
  const auto lead = static_cast<unsigned char>(text[i++]);
  if (lead < 0x80) return lead;
  if ((lead & 0xE0) != 0xC0 || i >= text.size()) return kAlphabetEnd;
  const auto trail = static_cast<unsigned char>(text[i++]);
  if ((trail & 0xC0) != 0x80) return kAlphabetEnd;
  return static_cast<char32_t>(((lead & 0x1F) << 6) | (trail & 0x3F));
}

}  // namespace

std::optional<std::string> to_bytes(std::string_view byte_level_text) {
  std::string bytes;
  bytes.reserve(byte_level_text.size());
  for (std::size_t i = 0; i < byte_level_text.size();) {
    const char32_t c = next_code_point(byte_level_text, i);
    if (c >= kAlphabetEnd || kByteOf[c] == kNotInAlphabet) return std::nullopt;
    bytes.push_back(static_cast<char>(kByteOf[c]));
  }
  return bytes;
}

}  // namespace servemeter::byte_level
