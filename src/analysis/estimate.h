#pragma once
// A figure over a cell's trials: mean, sample sd and 95% interval, with the values kept.
#include <optional>
#include <vector>

namespace servemeter {

struct Estimate {
  std::size_t n = 0;  // trials with a value
  double mean = 0;
  std::optional<double> sd;               // sample sd, n ≥ 2
  std::optional<double> ci_low, ci_high;  // 95% Student-t, n ≥ 2
  std::vector<double> per_trial;          // the values, in trial order
};

// nullopt for no values; NaN and infinities are left out first.
std::optional<Estimate> estimate_of(const std::vector<double>& per_trial);

}  // namespace servemeter
