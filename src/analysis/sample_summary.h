#pragma once
// The n, mean and standard deviation of a sample, and the checks every test makes on its input.
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "analysis/computed.h"

namespace servemeter {

struct SampleSummary {
  std::size_t n = 0;
  double mean = 0;
  double sd = 0;  // sample standard deviation (divisor n − 1); 0 when n == 1
};

// A two-sided confidence interval; `level` is the confidence asked for (0.95 for 95%).
struct Interval {
  double low = 0;
  double high = 0;
  double level = 0.95;
};

// Needs at least one value, all finite.
Computed<SampleSummary> summarize_sample(std::span<const double> values, std::string_view name);

// The reason `values` cannot be tested: empty, or holding NaN/inf (named by index). nullopt if
// fine.
std::optional<std::string> invalid_sample(std::span<const double> values, std::string_view name);
// The reason `confidence` is unusable (it must lie strictly between 0 and 1). nullopt if fine.
std::optional<std::string> invalid_confidence(double confidence);
// The reason a summary given by a caller is unusable (negative or non-finite sd, n == 0, …).
std::optional<std::string> invalid_summary(const SampleSummary& s, std::string_view name);

// Two-sided Student-t critical value t(1 − (1 − confidence)/2, df); df > 0.
double t_critical(double confidence, double df);
// Two-sided standard normal critical value z(1 − (1 − confidence)/2).
double z_critical(double confidence);

// A number for messages: up to 6 significant digits ("0.1", "1.5e+06", "nan").
std::string number_text(double value);

}  // namespace servemeter
