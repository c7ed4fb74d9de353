#pragma once
#include <filesystem>
#include <string>

#include "results/run_document.h"

namespace servemeter {

struct ResultPaths {
  std::filesystem::path results_json;    // results/<fw>/<fw>_<model>_results.json
  std::filesystem::path requests_jsonl;  // results/<fw>/<fw>_<model>_requests.jsonl
};

// Model ids hold '/' and ':' (meta-llama/…, llama3.1:8b); file names get '-' instead.
std::string file_safe(std::string name);
ResultPaths result_paths(const std::filesystem::path& results_dir, const std::string& framework,
                         const std::string& model);

// Writes both files atomically. Called after every cell, so an interrupted run keeps every
// cell already measured. Throws OutputError.
ResultPaths write_result_files(const std::filesystem::path& results_dir, const RunDocument& run);

// The runbook's one-line summary of a cell:
// [scenario] conc=8 | TTFT=12.3ms | throughput=456.7tok/s | p99=890.1ms | success=100.0%
std::string summary_line(const CellRun& cell);

}  // namespace servemeter
