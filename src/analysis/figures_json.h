#pragma once
// One trial's figures under the runbook's field names (avg_ttft_ms, p99_latency_ms,
// total_token_throughput, …) plus the unambiguous ones. A figure that could not be measured is
// null, and its reason is listed under "null_reasons".
#include <nlohmann/json.hpp>

#include "analysis/trial_figures.h"

namespace servemeter {

nlohmann::json figures_json(const TrialFigures& figures, bool open_loop);

// Only the distribution fields (for figures pooled over every trial's requests).
nlohmann::json distributions_json(const TrialFigures& figures, bool open_loop);

}  // namespace servemeter
