#include "report/chart_scale.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

namespace servemeter {
namespace {

// Whole steps are compared with a little slack so 0.30000000000000004 counts as 3 × 0.1.
constexpr double kSlack = 1e-9;

double nice_step(double raw) {
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double residual = raw / magnitude;
  const double nice = residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 5 ? 5 : 10;
  return nice * magnitude;
}

std::string fixed(double value, int decimals) {
  std::array<char, 64> buffer{};
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value,
                                    std::chars_format::fixed, decimals);
  std::string text(buffer.data(), result.ptr);
  // "-0.00" → "0.00": a value that rounds to zero has no sign.
  if (text[0] == '-' && text.find_first_not_of("-0.") == std::string::npos) text.erase(0, 1);
  return text;
}

// "1234567.5" → "1,234,567.5"
std::string group_thousands(const std::string& text) {
  const std::size_t sign = text[0] == '-' ? 1 : 0;
  std::size_t end = text.find('.');
  if (end == std::string::npos) end = text.size();
  std::string out = text.substr(0, sign);
  for (std::size_t i = sign; i < end; ++i) {
    if (i > sign && (end - i) % 3 == 0) out += ',';
    out += text[i];
  }
  out += text.substr(end);
  return out;
}

int decimals_for(double step) {
  if (step >= 1 - kSlack) return 0;
  return static_cast<int>(std::ceil(-std::log10(step) - kSlack));
}

}  // namespace

std::string tick_label(double value, double step, bool in_millions) {
  if (std::fabs(value) < step * kSlack) value = 0;
  if (in_millions) {
    return group_thousands(fixed(value / 1e6, decimals_for(step / 1e6))) + "M";
  }
  return group_thousands(fixed(value, decimals_for(step)));
}

AxisTicks linear_ticks(double data_min, double data_max, int target) {
  if (data_min > data_max) std::swap(data_min, data_max);
  if (data_max - data_min <= std::max(std::fabs(data_max), std::fabs(data_min)) * 1e-12) {
    // One value (or all equal): a range around it that still shows where it sits.
    const double v = data_min;
    if (v == 0) {
      data_max = 1;
    } else {
      const double half = std::fabs(v) * 0.5;
      data_min = v > 0 ? std::max(0.0, v - half) : v - half;
      data_max = v < 0 ? std::min(0.0, v + half) : v + half;
    }
  }
  const double step = nice_step((data_max - data_min) / std::max(target, 2));
  AxisTicks t;
  const double first = std::floor(data_min / step + kSlack);
  const double last = std::ceil(data_max / step - kSlack);
  t.min = first * step;
  t.max = last * step;
  const bool millions = std::max(std::fabs(t.min), std::fabs(t.max)) >= 1e6;
  for (double k = first; k <= last + 0.5; ++k) {
    t.ticks.push_back({k * step, tick_label(k * step, step, millions)});
  }
  return t;
}

AxisTicks log2_ticks(double data_min, double data_max, int max_ticks) {
  if (data_min > data_max) std::swap(data_min, data_max);
  double low = std::floor(std::log2(data_min) + kSlack);
  double high = std::ceil(std::log2(data_max) - kSlack);
  if (high <= low) {  // one value: show the power below and above
    low -= 1;
    high += 1;
  }
  const double span = high - low;
  const double every = std::max(1.0, std::ceil(span / std::max(max_ticks - 1, 1)));
  low = std::floor(low / every) * every;
  high = std::ceil(high / every) * every;
  AxisTicks t;
  t.min = low;
  t.max = high;
  for (double e = low; e <= high + 0.5; e += every) {
    const double value = std::exp2(e);
    std::string label;
    if (e >= 0) {
      label = tick_label(value, 1, false);
    } else {
      std::array<char, 32> buffer{};
      const auto r = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
      label.assign(buffer.data(), r.ptr);
    }
    t.ticks.push_back({e, label});
  }
  return t;
}

}  // namespace servemeter
