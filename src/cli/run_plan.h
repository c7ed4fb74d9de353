#pragma once
// What a `servemeter run` will measure: the scenarios named, or the one custom cell the flags
// describe, and the plan printed before the first request.
#include <iosfwd>
#include <string>
#include <vector>

#include "cli/run_options.h"
#include "scenario/scenario_spec.h"

namespace servemeter {

// --scenario and --scenario-file, in that order; or the custom cell. Throws ScenarioError.
std::vector<ScenarioSpec> selected_scenarios(const RunOptions& options);

// What a plan adds up to: cells, requests (warm-ups included, all trials), estimated seconds.
struct PlanTotals {
  std::size_t cells = 0;
  long long requests = 0;
  double seconds = 0;
};

// Every cell of `scenarios` with its requests and estimated time (duration_estimate, scaled for
// a simulator), then the total. Needs no server: `suite --dry-run` prints it per framework.
PlanTotals print_plan(std::ostream& out, const std::vector<ScenarioSpec>& scenarios,
                      const std::string& framework, int trials, double time_scale);

}  // namespace servemeter
