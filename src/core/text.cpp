#include "core/text.h"

namespace servemeter {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::string_view kEllipsis = "\xE2\x80\xA6";     // U+2026

// The sequence starting at p[0]: its length and whether it is well-formed. An ill-formed one is
// its maximal subpart (the lead byte and the continuation bytes that were still possible).
struct Step {
  std::size_t length;
  bool valid;
};

Step step(const unsigned char* p, std::size_t left) noexcept {
  const unsigned char lead = p[0];
  if (lead < 0x80) return {1, true};
  std::size_t trail = 0;
  unsigned char low = 0x80;  // the bounds of the first continuation byte (Unicode table 3-7)
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    trail = 1;
  } else if (lead == 0xE0) {
    trail = 2;
    low = 0xA0;  // no overlong forms
  } else if (lead == 0xED) {
    trail = 2;
    high = 0x9F;  // no surrogates
  } else if (lead >= 0xE1 && lead <= 0xEF) {
    trail = 2;
  } else if (lead == 0xF0) {
    trail = 3;
    low = 0x90;
  } else if (lead >= 0xF1 && lead <= 0xF3) {
    trail = 3;
  } else if (lead == 0xF4) {
    trail = 3;
    high = 0x8F;  // nothing above U+10FFFF
  } else {
    return {1, false};  // a stray continuation byte, C0/C1, F5..FF
  }
  for (std::size_t i = 1; i <= trail; ++i) {
    if (i >= left) return {i, false};
    const unsigned char c = p[i];
    if (c < (i == 1 ? low : 0x80) || c > (i == 1 ? high : 0xBF)) return {i, false};
  }
  return {trail + 1, true};
}

// Drop whole code points from the end of valid UTF-8 `text` until it is at most `size` bytes.
void cut_to(std::string& text, std::size_t size) {
  while (text.size() > size) {
    std::size_t at = text.size() - 1;
    while (at > 0 && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80) --at;
    text.resize(at);
  }
}

}  // namespace

std::string valid_utf8(std::string_view bytes, std::size_t max_bytes) {
  std::string out;
  out.reserve(bytes.size() < max_bytes ? bytes.size() : max_bytes);
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  std::size_t at = 0;
  while (at < bytes.size()) {
    std::size_t run = at;  // ASCII runs are copied whole
    while (run < bytes.size() && p[run] < 0x80) ++run;
    std::string_view piece;
    std::size_t consumed = 0;
    if (run > at) {
      piece = bytes.substr(at, run - at);
      consumed = run - at;
    } else {
      const Step s = step(p + at, bytes.size() - at);
      piece = s.valid ? bytes.substr(at, s.length) : kReplacement;
      consumed = s.length;
    }
    if (out.size() + piece.size() > max_bytes) {
      // Over the bound: keep what fits before the ellipsis (with no room for it, only the cut).
      const std::size_t keep =
          max_bytes >= kEllipsis.size() ? max_bytes - kEllipsis.size() : max_bytes;
      if (run > at && keep > out.size()) out.append(piece.substr(0, keep - out.size()));
      cut_to(out, keep);
      if (max_bytes >= kEllipsis.size()) out.append(kEllipsis);
      return out;
    }
    out.append(piece);
    at += consumed;
  }
  return out;
}

bool is_valid_utf8(std::string_view bytes) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  std::size_t at = 0;
  while (at < bytes.size()) {
    if (p[at] < 0x80) {
      ++at;
      continue;
    }
    const Step s = step(p + at, bytes.size() - at);
    if (!s.valid) return false;
    at += s.length;
  }
  return true;
}

}  // namespace servemeter
