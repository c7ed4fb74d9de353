#include "telemetry/prometheus_text.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <optional>

namespace servemeter::telemetry {
namespace {

bool is_name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}
bool is_name_char(char c) {
  return is_name_start(c) || (c >= '0' && c <= '9');
}
bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

class Cursor {
 public:
  explicit Cursor(std::string_view line) : s_(line) {}
  bool done() const { return i_ >= s_.size(); }
  char peek() const { return done() ? '\0' : s_[i_]; }
  void skip_blanks() {
    while (!done() && is_blank(s_[i_])) ++i_;
  }
  bool take(char c) {
    if (peek() != c) return false;
    ++i_;
    return true;
  }
  // A metric name (colons allowed) or, with `label`, a label name (no colons).
  std::optional<std::string> name(bool label) {
    const std::size_t start = i_;
    if (done() || !is_name_start(s_[i_]) || (label && s_[i_] == ':')) return std::nullopt;
    while (!done() && is_name_char(s_[i_]) && !(label && s_[i_] == ':')) ++i_;
    return std::string(s_.substr(start, i_ - start));
  }
  std::optional<std::string> quoted() {
    if (!take('"')) return std::nullopt;
    std::string out;
    while (!done()) {
      const char c = s_[i_++];
      if (c == '"') return out;
      if (c == '\\' && !done()) {
        const char e = s_[i_++];
        out += e == 'n' ? '\n' : e;  // \\ and \" give the character; unknown escapes kept as is
      } else {
        out += c;
      }
    }
    return std::nullopt;  // unterminated
  }
  std::string_view token() {
    const std::size_t start = i_;
    while (!done() && !is_blank(s_[i_])) ++i_;
    return s_.substr(start, i_ - start);
  }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
};

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    if (x != b[i]) return false;
  }
  return true;
}

std::optional<double> parse_value(std::string_view t) {
  if (t.empty()) return std::nullopt;
  const bool negative = t.front() == '-';
  std::string_view body = t;
  if (t.front() == '+' || t.front() == '-') body.remove_prefix(1);
  if (equals_ignoring_case(body, "inf")) {
    return negative ? -std::numeric_limits<double>::infinity()
                    : std::numeric_limits<double>::infinity();
  }
  if (equals_ignoring_case(t, "nan")) return std::numeric_limits<double>::quiet_NaN();
  if (t.front() == '+') t.remove_prefix(1);  // from_chars takes '-' but not '+'
  double v = 0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || end != t.data() + t.size()) return std::nullopt;
  return v;
}

void parse_comment(std::string_view line, PrometheusText& out) {
  Cursor c(line.substr(1));
  c.skip_blanks();
  if (c.token() != "TYPE") return;  // HELP and free comments carry nothing we use
  c.skip_blanks();
  const auto name = c.name(false);
  c.skip_blanks();
  const std::string_view type = c.token();
  if (name && !type.empty()) out.types[*name] = std::string(type);
}

std::optional<PrometheusSeries> parse_series(std::string_view line) {
  Cursor c(line);
  PrometheusSeries s;
  auto name = c.name(false);
  if (!name) return std::nullopt;
  s.name = std::move(*name);
  c.skip_blanks();
  if (c.take('{')) {
    while (true) {
      c.skip_blanks();
      if (c.take('}')) break;
      auto label = c.name(true);
      if (!label) return std::nullopt;
      c.skip_blanks();
      if (!c.take('=')) return std::nullopt;
      c.skip_blanks();
      auto value = c.quoted();
      if (!value) return std::nullopt;
      s.labels.emplace_back(std::move(*label), std::move(*value));
      c.skip_blanks();
      if (c.take(',')) continue;
      if (c.take('}')) break;
      return std::nullopt;
    }
    c.skip_blanks();
  }
  const auto value = parse_value(c.token());
  if (!value) return std::nullopt;
  s.value = *value;
  c.skip_blanks();
  if (!c.done()) {
    // An optional integer timestamp (ms) may follow; anything else makes the line suspect.
    const std::string_view ts = c.token();
    long long ignored = 0;
    const auto [end, ec] = std::from_chars(ts.data(), ts.data() + ts.size(), ignored);
    if (ec != std::errc() || end != ts.data() + ts.size()) return std::nullopt;
    c.skip_blanks();
    if (!c.done()) return std::nullopt;
  }
  return s;
}

}  // namespace

PrometheusText parse_prometheus_text(std::string_view text, const PrometheusLimits& limits) {
  PrometheusText out;
  if (text.size() > limits.max_bytes) {
    text = text.substr(0, limits.max_bytes);
    // Only whole lines: a cut line could read as a different number.
    const std::size_t last_newline = text.rfind('\n');
    text = last_newline == std::string_view::npos ? std::string_view()
                                                  : text.substr(0, last_newline + 1);
    out.truncated = true;
  }
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    while (!line.empty() && is_blank(line.front())) line.remove_prefix(1);
    if (line.empty()) continue;
    if (line.size() > limits.max_line) {
      ++out.skipped_lines;
      continue;
    }
    if (line.front() == '#') {
      parse_comment(line, out);
      continue;
    }
    auto series = parse_series(line);
    if (!series) {
      ++out.skipped_lines;
      continue;
    }
    if (out.series.size() >= limits.max_series) {
      out.truncated = true;
      break;
    }
    out.series.push_back(std::move(*series));
  }
  return out;
}

std::string_view prometheus_type(const PrometheusText& text, std::string_view series_name) {
  if (auto it = text.types.find(std::string(series_name)); it != text.types.end())
    return it->second;
  for (std::string_view suffix : {"_bucket", "_sum", "_count", "_total", "_created"}) {
    if (series_name.size() <= suffix.size() ||
        series_name.substr(series_name.size() - suffix.size()) != suffix)
      continue;
    const std::string family(series_name.substr(0, series_name.size() - suffix.size()));
    if (auto it = text.types.find(family); it != text.types.end()) return it->second;
  }
  return "untyped";
}

}  // namespace servemeter::telemetry
