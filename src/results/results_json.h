#pragma once
#include <nlohmann/json.hpp>

#include "results/cell_summary.h"
#include "results/run_document.h"

namespace servemeter {

inline constexpr int kResultsSchemaVersion = 1;

// One trial's figures under the runbook's field names plus the unambiguous ones. A figure that
// could not be measured is null, and its reason is listed under "null_reasons".
nlohmann::json cell_figures_json(const CellSummary& summary, bool open_loop = false);

// The whole `<framework>_<model>_results.json` document.
nlohmann::json results_json(const RunDocument& run);

}  // namespace servemeter
