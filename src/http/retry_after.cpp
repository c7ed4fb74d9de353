#include "http/retry_after.h"

#include <array>
#include <ctime>
#include <vector>

namespace servemeter::http {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text)
    if (!is_digit(c)) return false;
  return true;
}

int number(std::string_view digits) {
  int value = 0;
  for (char c : digits) value = value * 10 + (c - '0');
  return value;
}

// 0..11 for "Jan".."Dec" (any case), -1 otherwise.
int month_index(std::string_view name) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  if (name.size() != 3) return -1;
  char lower[3];
  for (int i = 0; i < 3; ++i) lower[i] = static_cast<char>(name[i] | 0x20);
  for (int m = 0; m < 12; ++m)
    if (std::string_view(lower, 3) == kMonths[m]) return m;
  return -1;
}

// "08:49:37" → seconds into the day; -1 if malformed.
int time_of_day(std::string_view text) {
  if (text.size() != 8 || text[2] != ':' || text[5] != ':') return -1;
  const std::string_view h = text.substr(0, 2), m = text.substr(3, 2), s = text.substr(6, 2);
  if (!all_digits(h) || !all_digits(m) || !all_digits(s)) return -1;
  const int hours = number(h), minutes = number(m), seconds = number(s);
  if (hours > 23 || minutes > 59 || seconds > 60) return -1;
  return hours * 3600 + minutes * 60 + seconds;
}

// Seconds since the epoch of an HTTP-date, or -1. The three forms differ in order and
// separators but each holds one month name, one hh:mm:ss, and the day before the year.
std::int64_t http_date(std::string_view text) {
  std::vector<std::string_view> tokens;
  std::size_t at = 0;
  while (at < text.size()) {
    while (at < text.size() && (text[at] == ' ' || text[at] == ',' || text[at] == '-')) ++at;
    const std::size_t begin = at;
    while (at < text.size() && text[at] != ' ' && text[at] != ',' && text[at] != '-') ++at;
    if (at > begin) tokens.push_back(text.substr(begin, at - begin));
  }
  int month = -1, seconds = -1, day = -1, year = -1;
  for (std::string_view token : tokens) {
    if (const int m = month_index(token); m >= 0) {
      month = m;
    } else if (token.find(':') != std::string_view::npos) {
      seconds = time_of_day(token);
    } else if (all_digits(token) && token.size() <= 4) {
      if (day < 0) {
        day = number(token);
      } else {
        year = number(token);
        if (token.size() == 2) year += year < 70 ? 2000 : 1900;  // RFC 850's two digits
      }
    }
  }
  if (month < 0 || seconds < 0 || day < 1 || day > 31 || year < 1970) return -1;
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month;
  tm.tm_mday = day;
  return static_cast<std::int64_t>(timegm(&tm)) + seconds;
}

}  // namespace

std::optional<double> parse_retry_after(std::string_view value, std::int64_t now_unix_s) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (all_digits(value)) {
    if (value.size() > 9) return 1e9;  // over 30 years: "never", kept finite
    return static_cast<double>(number(value));
  }
  const std::int64_t when = http_date(value);
  if (when < 0) return std::nullopt;
  return when > now_unix_s ? static_cast<double>(when - now_unix_s) : 0.0;
}

std::optional<double> parse_retry_after(std::string_view value) {
  return parse_retry_after(value, static_cast<std::int64_t>(std::time(nullptr)));
}

}  // namespace servemeter::http
