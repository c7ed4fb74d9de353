#pragma once
// One framework's measurements in the one shape the comparison reads, whatever they came from:
// its raw log (digested, then put through results_document() exactly as `run` does), a results
// file of servemeter (schema 1 or 2) whose raw log is gone, or a results file of the runbook's
// Python tool (one figure per cell, no trials, no per-request data). What a source lacks is
// said in `missing`, never filled in.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "analysis/log_digest.h"
#include "analysis/metric_catalog.h"

namespace servemeter {

enum class ResultsSource {
  raw_log,             // *_requests.jsonl: every figure recomputed from the requests
  servemeter_results,  // servemeter's *_results.json without its raw log
  runbook_results,     // the runbook's *_results.json: one value per figure and cell
};
std::string_view to_string(ResultsSource source);

struct MeasuredCell {
  std::string scenario;                              // single_request, concurrent_load, …
  std::string label;                                 // in=512,out=256,conc=8
  nlohmann::json params = nlohmann::json::object();  // input_tokens, output_tokens, concurrency…
  bool open_loop = false;
  bool complete = true;
  std::string stop_reason = "none";
  int trials_planned = 0;
  // Each trial's figures, in trial order. A runbook entry is one trial.
  std::vector<PerMetric<std::optional<double>>> trials;
  std::size_t measured = 0, succeeded = 0;                  // requests over all trials
  std::vector<std::pair<std::string, std::size_t>> errors;  // kind → count, by kind
  // Measured requests (raw logs only), in id order; `item` pairs prefix questions and Korean
  // prompts.
  std::vector<RequestRow> rows;
  bool rows_available = false;
  bool rows_truncated = false;
  nlohmann::json items = nlohmann::json::array();
};

struct FrameworkResults {
  std::string key;        // <framework>_<model preset>, as the runbook keys all_results.json
  std::string framework;  // as recorded: sglang, vllm, ollama, …
  std::string model_preset;
  std::string model;  // the id the server was asked for
  ResultsSource source = ResultsSource::raw_log;
  std::string source_file;  // relative to the results folder
  bool simulated = false;
  double time_scale = 1.0;
  std::string tool_version;
  nlohmann::json server_info = nlohmann::json::object();  // the newest run's
  nlohmann::json telemetry = nlohmann::json::array();     // each trial's, where recorded
  nlohmann::json gpu_info = nlohmann::json::object();
  nlohmann::json document;  // the results document, as written to (or read from) the file
  std::vector<MeasuredCell> cells;
  std::vector<std::string> problems;  // what was wrong in the files, in words
  std::vector<std::string> missing;   // figures and tests this source cannot give, and why
};

// From a results document: servemeter's (schema 1 or 2, recognised by schema_version or tool)
// or the runbook's. Returns the reason when the document is not a results document at all (not
// an object, no results array); entries that cannot be read are left out and named in
// `problems` (and counted in `skipped_entries`).
struct DocumentReading {
  std::optional<FrameworkResults> results;
  std::string error;
  std::size_t skipped_entries = 0;
};
DocumentReading framework_results_from_document(const nlohmann::json& document,
                                                const std::string& source_file);

// From a digested raw log: results_document(log), read as above, with each cell's requests.
FrameworkResults framework_results_from_log(const FrameworkLog& log,
                                            const std::string& source_file);

// The runbook's scenario cell label for an entry that has none (runbook files): in=…,out=…
// (single_request), in=…,out=…,conc=… (concurrent_load, long_context), shared,out=…
// (prefix_cache), unique,out=… (prefix_cache_control), conc=…,out=… (korean_ko, korean_en).
std::string derived_cell_label(const std::string& scenario, const nlohmann::json& entry);

}  // namespace servemeter
