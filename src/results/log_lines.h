#pragma once
// The raw log (`<framework>_<model>_requests.jsonl`, schema servemeter.requests/2) besides its
// request lines: one `run` line per `servemeter run`, then per cell a `cell` line, the cell's
// request lines, a `trial_end` line after each trial and a `cell_end` line. A cell's lines follow
// its `cell` line; a later `cell` line with the same key supersedes an earlier one. docs/
// results-format.md describes every field.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace servemeter {

inline constexpr const char* kRequestLogSchema = "servemeter.requests/2";
inline constexpr const char* kRequestSchemaV1 = "servemeter.request/1";

struct RunInfo {
  std::string run_id;  // random; ties the cells of one invocation together
  std::string tool_version;
  std::string command_line;  // credentials redacted
  std::string framework;
  std::string model_preset;  // as the user named the model (preset name or id)
  std::string model;         // the id sent to the server
  std::string base_url;      // credentials redacted
  std::string api;
  std::string chat_endpoint;  // path of the generation endpoint, e.g. /v1/chat/completions
  bool simulated = false;
  double time_scale = 1.0;  // a simulator's speed-up; figures are reported in model time
  std::string timestamp;    // local time, "YYYY-MM-DD HH:MM:SS" (the runbook's field)
  std::string started_at_utc;
  nlohmann::json request_options = nlohmann::json::object();
  // What the server says of itself: telemetry::server_info_json()'s array of answers, or an
  // object.
  nlohmann::json server_info = nlohmann::json::object();
};

struct CellInfo {
  std::string run_id;
  std::string cell_key;  // identical parameters give an identical key (resume, replacement)
  std::string scenario;  // runbook name: single_request, concurrent_load, …
  std::string cell;      // label: in=512,out=256,conc=8
  nlohmann::json params = nlohmann::json::object();  // everything that shaped the workload
  bool open_loop = false;
  int trials = 1;
  double time_scale = 1.0;
  nlohmann::json items = nlohmann::json::array();  // dataset items the requests' `item` indexes
};

struct TrialEnd {
  std::string cell_key;
  int trial = 0;
  std::int64_t planned = 0, sent = 0, completed = 0, failed = 0, cancelled = 0;
  std::string stop_reason = "none";  // none, interrupted, server_gone, client_out_of_files
  std::string stop_detail;
  std::int64_t window_start_ns = 0, window_end_ns = 0;
  std::optional<double> target_rate, achieved_rate;
  nlohmann::json telemetry = nlohmann::json::object();
};

struct CellEnd {
  std::string cell_key;
  bool complete = true;  // every planned trial ran to its end
  std::string stop_reason = "none";
};

nlohmann::json to_json(const RunInfo& info);
nlohmann::json to_json(const CellInfo& info);
nlohmann::json to_json(const TrialEnd& info);
nlohmann::json to_json(const CellEnd& info);
// Each throws std::runtime_error naming the missing or mistyped field.
RunInfo run_info_from(const nlohmann::json& line);
CellInfo cell_info_from(const nlohmann::json& line);
TrialEnd trial_end_from(const nlohmann::json& line);
CellEnd cell_end_from(const nlohmann::json& line);

}  // namespace servemeter
