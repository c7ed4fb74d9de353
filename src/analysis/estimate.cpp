#include "analysis/estimate.h"

#include <cmath>

#include "core/statistics.h"

namespace servemeter {

std::optional<Estimate> estimate_of(const std::vector<double>& per_trial) {
  Estimate e;
  for (double v : per_trial)
    if (std::isfinite(v)) e.per_trial.push_back(v);
  const auto over = estimate_over_trials(e.per_trial);
  if (!over) return std::nullopt;
  e.n = over->trials;
  e.mean = over->mean;
  e.sd = over->std;
  e.ci_low = over->ci95_low;
  e.ci_high = over->ci95_high;
  return e;
}

}  // namespace servemeter
