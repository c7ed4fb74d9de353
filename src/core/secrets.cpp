#include "core/secrets.h"

#include <cstddef>
#include <string_view>

namespace servemeter {
namespace {

constexpr std::size_t kMinSecret = 4;

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// The first case-insensitive match of lower-case `needle` in `text` at or after `from`.
std::size_t find_ci(std::string_view text, std::string_view needle, std::size_t from) {
  if (needle.empty() || text.size() < needle.size()) return std::string_view::npos;
  for (std::size_t at = from; at + needle.size() <= text.size(); ++at) {
    std::size_t i = 0;
    while (i < needle.size() && lower(text[at + i]) == needle[i]) ++i;
    if (i == needle.size()) return at;
  }
  return std::string_view::npos;
}

bool is_space(char c) {
  return c == ' ' || c == '\t';
}

// Replace text[begin, end) by "<redacted>" unless it already is; returns the index after it.
std::size_t redact(std::string& text, std::size_t begin, std::size_t end) {
  if (end <= begin) return end;
  if (std::string_view(text).substr(begin, end - begin) == kRedacted) return end;
  text.replace(begin, end - begin, kRedacted);
  return begin + kRedacted.size();
}

void scrub_known(std::string& text, const std::string& secret) {
  if (secret.size() < kMinSecret) return;
  for (std::size_t at = 0; (at = text.find(secret, at)) != std::string::npos;) {
    text.replace(at, secret.size(), kRedacted);
    at += kRedacted.size();
  }
}

// After a key (`Authorization`, `api_key`) ending at `at`: an optional closing quote of a JSON
// key, then ':' or '=', then an optional opening quote. The value's start and whether it is
// quoted, or npos when no separator follows.
std::size_t value_start(std::string_view text, std::size_t at, bool& quoted) {
  if (at < text.size() && (text[at] == '"' || text[at] == '\'')) ++at;
  while (at < text.size() && is_space(text[at])) ++at;
  if (at >= text.size() || (text[at] != ':' && text[at] != '=')) return std::string_view::npos;
  ++at;
  while (at < text.size() && is_space(text[at])) ++at;
  quoted = at < text.size() && (text[at] == '"' || text[at] == '\'');
  return quoted ? at + 1 : at;
}

// `key` followed by a separator and a value; the value (to `stops`, or the closing quote) goes.
void scrub_keyed(std::string& text, std::string_view key, std::string_view stops) {
  for (std::size_t at = 0; (at = find_ci(text, key, at)) != std::string::npos;) {
    const bool starts_word = at == 0 || !is_alnum(text[at - 1]);
    at += key.size();
    if (!starts_word) continue;
    bool quoted = false;
    const std::size_t begin = value_start(text, at, quoted);
    if (begin == std::string::npos) continue;
    std::size_t end = begin;
    if (quoted) {
      const char quote = text[begin - 1];
      while (end < text.size() && text[end] != quote && text[end] != '\n' && text[end] != '\r')
        ++end;
    } else {
      while (end < text.size() && stops.find(text[end]) == std::string_view::npos) ++end;
    }
    at = redact(text, begin, end);
  }
}

void scrub_bearer(std::string& text) {
  constexpr std::string_view kBearer = "bearer";
  for (std::size_t at = 0; (at = find_ci(text, kBearer, at)) != std::string::npos;) {
    const bool starts_word = at == 0 || !is_alnum(text[at - 1]);
    at += kBearer.size();
    if (!starts_word || at >= text.size() || !is_space(text[at])) continue;
    while (at < text.size() && is_space(text[at])) ++at;
    std::size_t end = at;
    constexpr std::string_view kTokenEnds = " \t\r\n\"'`,;\\<>";
    while (end < text.size() && kTokenEnds.find(text[end]) == std::string_view::npos) ++end;
    at = redact(text, at, end);
  }
}

void scrub_url_passwords(std::string& text) {
  for (std::size_t at = 0; (at = text.find("://", at)) != std::string::npos;) {
    at += 3;
    // The authority ends at the path, query, fragment or anything that cannot be in a URL.
    constexpr std::string_view kAuthorityEnds = "/?# \t\r\n\"'<>`";
    std::size_t end = at;
    while (end < text.size() && kAuthorityEnds.find(text[end]) == std::string_view::npos) ++end;
    const std::size_t userinfo_end = std::string_view(text).substr(at, end - at).rfind('@');
    if (userinfo_end == std::string_view::npos) continue;
    const std::size_t colon = std::string_view(text).substr(at, userinfo_end).find(':');
    if (colon == std::string_view::npos) continue;
    at = redact(text, at + colon + 1, at + userinfo_end) + 1;
  }
}

}  // namespace

void scrub_secrets(std::string& text, std::span<const std::string> secrets) {
  for (const std::string& secret : secrets) scrub_known(text, secret);
  constexpr std::string_view kLineEnds = "\r\n\"'";
  scrub_keyed(text, "authorization", kLineEnds);
  constexpr std::string_view kValueEnds = " \t\r\n&;,\"'#";
  for (std::string_view key : {"api_key", "api-key", "apikey"}) scrub_keyed(text, key, kValueEnds);
  scrub_bearer(text);
  scrub_url_passwords(text);
}

}  // namespace servemeter
