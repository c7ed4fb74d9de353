#pragma once
// A framework's results file (`<framework>_<model>_results.json`), derived from its raw log: the
// runbook's schema, key for key (framework, model_preset, model, timestamp, server_config,
// gpu_info, results[] with scenario, framework, concurrency, input_tokens, output_tokens,
// num_requests, avg_ttft_ms, … total_token_throughput, request_throughput, success_rate,
// total_time_sec, gpu_memory_mb, gpu_utilization_pct), with servemeter's extensions beside those
// keys: trials, their spread and confidence intervals, pooled percentiles, errors, how it was
// measured. `run` writes it after every cell; `analyze` rewrites it from the same log.
#include <nlohmann/json.hpp>
#include <string>

#include "analysis/log_digest.h"

namespace servemeter {

inline constexpr int kResultsSchemaVersion = 2;

nlohmann::json results_document(const FrameworkLog& log);

// The results file's text: two-space indentation, invalid UTF-8 replaced, a final newline. `run`
// and `analyze` both write exactly this, so the same log gives the same bytes.
std::string results_document_text(const nlohmann::json& document);

// One entry of results[] for a cell.
nlohmann::json cell_entry(const CellDigest& cell, const std::string& framework);

// The runbook's summary line of a results[] entry:
// [single_request] in=128,out=256 conc=1 | TTFT=45.2ms | throughput=208.5tok/s | p99=1295.0ms |
// success=100.0%
std::string summary_line(const nlohmann::json& entry);

}  // namespace servemeter
