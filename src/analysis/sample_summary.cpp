#include "analysis/sample_summary.h"

#include <array>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <charconv>
#include <cmath>

namespace servemeter {

std::string number_text(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  std::array<char, 32> buffer{};
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value,
                                    std::chars_format::general, 6);
  return std::string(buffer.data(), result.ptr);
}

std::optional<std::string> invalid_sample(std::span<const double> values, std::string_view name) {
  if (values.empty()) return std::string(name) + " has no values";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      return std::string(name) + " holds " + number_text(values[i]) + " at index " +
             std::to_string(i) + "; leave unmeasured values out before testing";
    }
  }
  return std::nullopt;
}

std::optional<std::string> invalid_confidence(double confidence) {
  if (std::isfinite(confidence) && confidence > 0 && confidence < 1) return std::nullopt;
  return "confidence level " + number_text(confidence) +
         " is not between 0 and 1 (exclusive); use e.g. 0.95 for a 95% interval";
}

std::optional<std::string> invalid_summary(const SampleSummary& s, std::string_view name) {
  if (s.n == 0) return std::string(name) + " has no values";
  if (!std::isfinite(s.mean)) return std::string(name) + " has mean " + number_text(s.mean);
  if (!std::isfinite(s.sd) || s.sd < 0) {
    return std::string(name) + " has standard deviation " + number_text(s.sd) +
           "; it must be finite and ≥ 0";
  }
  return std::nullopt;
}

Computed<SampleSummary> summarize_sample(std::span<const double> values, std::string_view name) {
  if (auto why = invalid_sample(values, name)) return Computed<SampleSummary>::unavailable(*why);
  SampleSummary s;
  s.n = values.size();
  // Two passes: the mean first, then squared deviations from it, which stays accurate for
  // latencies with a large common offset where Σx² − n·mean² would cancel.
  double sum = 0;
  for (double v : values) sum += v;
  s.mean = sum / static_cast<double>(s.n);
  if (s.n > 1) {
    double squares = 0;
    for (double v : values) squares += (v - s.mean) * (v - s.mean);
    s.sd = std::sqrt(squares / static_cast<double>(s.n - 1));
  }
  if (!std::isfinite(s.mean) || !std::isfinite(s.sd)) {
    return Computed<SampleSummary>::unavailable(std::string(name) +
                                                "'s values are too large to sum in doubles");
  }
  return s;
}

double t_critical(double confidence, double df) {
  const boost::math::students_t t(df);
  return boost::math::quantile(boost::math::complement(t, (1 - confidence) / 2));
}

double z_critical(double confidence) {
  const boost::math::normal z;
  return boost::math::quantile(boost::math::complement(z, (1 - confidence) / 2));
}

}  // namespace servemeter
