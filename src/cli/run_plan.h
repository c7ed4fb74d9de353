#pragma once
// What a `servemeter run` will measure: the scenarios named, or the one custom cell the flags
// describe, and the plan printed before the first request.
#include <iosfwd>
#include <string>
#include <vector>

#include "cli/run_options.h"
#include "orchestrate/cell_plan.h"
#include "scenario/scenario_spec.h"

namespace servemeter {

// --scenario and --scenario-file, in that order; or the custom cell. Throws ScenarioError.
std::vector<ScenarioSpec> selected_scenarios(const RunOptions& options);

// Cells, requests, trials and the estimated time (scaled for a simulator).
void print_plan(std::ostream& out, const std::vector<ScenarioSpec>& scenarios,
                const std::vector<CellPlan>& cells, const std::string& framework, int trials,
                double time_scale);

}  // namespace servemeter
