#include "results/json_text.h"

#include <charconv>
#include <cmath>

namespace servemeter::json_text {
namespace {

// Length of the valid UTF-8 sequence starting at p (1–4), or 0 if it is not one.
std::size_t utf8_sequence(const unsigned char* p, const unsigned char* end) {
  const unsigned char c = p[0];
  if (c < 0x80) return 1;
  std::size_t n = 0;
  std::uint32_t min = 0;
  if ((c & 0xE0) == 0xC0) {
    n = 2;
    min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3;
    min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4;
    min = 0x10000;
  } else {
    return 0;
  }
  if (static_cast<std::size_t>(end - p) < n) return 0;
  std::uint32_t cp = c & (0x7F >> n);
  for (std::size_t i = 1; i < n; ++i) {
    if ((p[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (p[i] & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::string_view kEllipsis = "\xE2\x80\xA6";     // …

}  // namespace

void key(std::string& out, std::string_view name) {
  out.push_back('"');
  out.append(name);
  out.append("\":");
}

void string(std::string& out, std::string_view text, std::size_t max_bytes) {
  out.push_back('"');
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* const end = p + text.size();
  std::size_t taken = 0;
  while (p < end) {
    const std::size_t n = utf8_sequence(p, end);
    if (taken + (n == 0 ? 1 : n) > max_bytes) {
      out.append(kEllipsis);
      break;
    }
    if (n == 0) {
      out.append(kReplacement);
      ++p;
      ++taken;
      continue;
    }
    const unsigned char c = *p;
    if (n == 1) {
      switch (c) {
        case '"':
          out.append("\\\"");
          break;
        case '\\':
          out.append("\\\\");
          break;
        case '\n':
          out.append("\\n");
          break;
        case '\r':
          out.append("\\r");
          break;
        case '\t':
          out.append("\\t");
          break;
        default:
          if (c < 0x20 || c == 0x7F) {
            char escaped[8];
            static constexpr char kHex[] = "0123456789abcdef";
            escaped[0] = '\\';
            escaped[1] = 'u';
            escaped[2] = '0';
            escaped[3] = '0';
            escaped[4] = kHex[c >> 4];
            escaped[5] = kHex[c & 0xF];
            out.append(escaped, 6);
          } else {
            out.push_back(static_cast<char>(c));
          }
      }
    } else {
      out.append(reinterpret_cast<const char*>(p), n);
    }
    p += n;
    taken += n;
  }
  out.push_back('"');
}

void integer(std::string& out, std::int64_t value) {
  char text[24];
  const auto r = std::to_chars(text, text + sizeof text, value);
  out.append(text, r.ptr);
}

void number(std::string& out, double value) {
  if (!std::isfinite(value)) {
    null(out);
    return;
  }
  char text[32];
  const auto r = std::to_chars(text, text + sizeof text, value);
  out.append(text, r.ptr);
}

void boolean(std::string& out, bool value) {
  out.append(value ? "true" : "false");
}

void null(std::string& out) {
  out.append("null");
}

void integer_or_null(std::string& out, std::int64_t value, bool present) {
  if (present) {
    integer(out, value);
  } else {
    null(out);
  }
}

void number_or_null(std::string& out, const std::optional<double>& value) {
  if (value) {
    number(out, *value);
  } else {
    null(out);
  }
}

}  // namespace servemeter::json_text
