#include "report/text_format.h"

#include <cmath>
#include <cstdio>

namespace servemeter::text {

std::string fixed(double value, int decimals) {
  if (!std::isfinite(value)) return "—";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  std::string out = buffer;
  if (out.starts_with("-") && out.find_first_not_of("-0.") == std::string::npos)
    out.erase(0, 1);  // no "-0.00"
  return out;
}

namespace {
int decimals_for(double value) {
  const double m = std::fabs(value);
  if (m >= 100) return 1;
  if (m >= 1) return 2;
  return 3;
}
}  // namespace

std::string number(double value) {
  return fixed(value, decimals_for(value));
}

std::string compact(double value) {
  if (!std::isfinite(value)) return "—";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%g", value);
  return buffer;
}

std::string estimate(const std::optional<Estimate>& e) {
  if (!e) return "—";
  const int decimals = decimals_for(e->mean);
  std::string out = fixed(e->mean, decimals);
  if (e->sd) out += " ± " + fixed(*e->sd, decimals);
  return out;
}

std::string optional_number(const std::optional<double>& v) {
  return v ? number(*v) : "—";
}

std::string p_value(double p) {
  if (!std::isfinite(p)) return "—";
  if (p < 0.001) return "< 0.001";
  return fixed(p, p < 0.01 ? 4 : 3);
}

std::string markdown_cell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n' || c == '\r')
      out += ' ';
    else
      out += c;
  }
  return out;
}

std::string html(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace servemeter::text
