#pragma once
// Everything one `servemeter run` measured for one framework and model, and how.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/request_record.h"

namespace servemeter {

struct RunMetadata {
  std::string tool_version;
  std::string command_line;  // API key redacted
  std::string framework;
  std::string model;     // as the user named it (preset name or id)
  std::string model_id;  // as sent to the server
  std::string base_url;
  std::string api;
  bool simulated = false;
  // The simulator's --time-scale (1 for real servers): figures are reported in model time.
  double time_scale = 1.0;
  std::string started_at;          // UTC, ISO 8601
  nlohmann::json request_options;  // temperature, max_tokens policy, exact length, timeouts…
};

struct CellRun {
  std::string scenario;   // "custom" for a command-line cell
  std::string cell;       // label, e.g. "in=512,out=256,conc=8"
  nlohmann::json params;  // input_tokens, output_tokens, concurrency, num_requests, rate…
  bool open_loop = false;
  double time_scale = 1.0;                         // copied from RunMetadata::time_scale
  std::vector<std::vector<RequestRecord>> trials;  // records of each trial, warm-up included
};

struct RunDocument {
  RunMetadata meta;
  std::vector<CellRun> cells;
};

}  // namespace servemeter
