#include "results/log_lines.h"

#include <stdexcept>

namespace servemeter {
namespace {

using nlohmann::json;

json optional_number(const std::optional<double>& v) {
  return v ? json(*v) : json(nullptr);
}

// The field's value, or a runtime_error that names it and the line type.
template <class T>
T field(const json& line, const char* name, const char* type) {
  const auto it = line.find(name);
  if (it == line.end()) throw std::runtime_error(std::string(type) + " line has no '" + name + "'");
  try {
    return it->get<T>();
  } catch (const json::exception&) {
    throw std::runtime_error(std::string(type) + " line: '" + name + "' has the wrong type (" +
                             it->type_name() + ")");
  }
}

template <class T>
T field_or(const json& line, const char* name, T fallback) {
  const auto it = line.find(name);
  if (it == line.end() || it->is_null()) return fallback;
  try {
    return it->get<T>();
  } catch (const json::exception&) {
    return fallback;
  }
}

std::optional<double> optional_field(const json& line, const char* name) {
  const auto it = line.find(name);
  if (it == line.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

json object_field(const json& line, const char* name) {
  const auto it = line.find(name);
  return it != line.end() && it->is_object() ? *it : json::object();
}

}  // namespace

json to_json(const RunInfo& r) {
  return {{"type", "run"},
          {"schema", kRequestLogSchema},
          {"run_id", r.run_id},
          {"tool_version", r.tool_version},
          {"command_line", r.command_line},
          {"framework", r.framework},
          {"model_preset", r.model_preset},
          {"model", r.model},
          {"base_url", r.base_url},
          {"api", r.api},
          {"chat_endpoint", r.chat_endpoint},
          {"simulated", r.simulated},
          {"time_scale", r.time_scale},
          {"timestamp", r.timestamp},
          {"started_at_utc", r.started_at_utc},
          {"clock", "CLOCK_MONOTONIC ns"},
          {"request_options", r.request_options},
          {"server_info", r.server_info}};
}

json to_json(const CellInfo& c) {
  return {{"type", "cell"},           {"run_id", c.run_id}, {"cell_key", c.cell_key},
          {"scenario", c.scenario},   {"cell", c.cell},     {"params", c.params},
          {"open_loop", c.open_loop}, {"trials", c.trials}, {"time_scale", c.time_scale},
          {"items", c.items}};
}

json to_json(const TrialEnd& t) {
  return {{"type", "trial_end"},
          {"cell_key", t.cell_key},
          {"trial", t.trial},
          {"planned", t.planned},
          {"sent", t.sent},
          {"completed", t.completed},
          {"failed", t.failed},
          {"cancelled", t.cancelled},
          {"stop_reason", t.stop_reason},
          {"stop_detail", t.stop_detail.empty() ? json(nullptr) : json(t.stop_detail)},
          {"window_start_ns", t.window_start_ns},
          {"window_end_ns", t.window_end_ns},
          {"target_rate", optional_number(t.target_rate)},
          {"achieved_rate", optional_number(t.achieved_rate)},
          {"telemetry", t.telemetry}};
}

json to_json(const CellEnd& c) {
  return {{"type", "cell_end"},
          {"cell_key", c.cell_key},
          {"complete", c.complete},
          {"stop_reason", c.stop_reason}};
}

RunInfo run_info_from(const json& line) {
  RunInfo r;
  r.run_id = field<std::string>(line, "run_id", "run");
  r.tool_version = field_or<std::string>(line, "tool_version", "");
  r.command_line = field_or<std::string>(line, "command_line", "");
  r.framework = field<std::string>(line, "framework", "run");
  r.model_preset = field_or<std::string>(line, "model_preset", "");
  r.model = field_or<std::string>(line, "model", "");
  r.base_url = field_or<std::string>(line, "base_url", "");
  r.api = field_or<std::string>(line, "api", "");
  r.chat_endpoint = field_or<std::string>(line, "chat_endpoint", "");
  r.simulated = field_or(line, "simulated", false);
  r.time_scale = field_or(line, "time_scale", 1.0);
  r.timestamp = field_or<std::string>(line, "timestamp", "");
  r.started_at_utc = field_or<std::string>(line, "started_at_utc", "");
  r.request_options = object_field(line, "request_options");
  // telemetry::server_info_json() gives one entry per endpoint asked: an array.
  if (const auto it = line.find("server_info"); it != line.end() && it->is_array())
    r.server_info = *it;
  else
    r.server_info = object_field(line, "server_info");
  return r;
}

CellInfo cell_info_from(const json& line) {
  CellInfo c;
  c.run_id = field_or<std::string>(line, "run_id", "");
  c.cell_key = field<std::string>(line, "cell_key", "cell");
  c.scenario = field<std::string>(line, "scenario", "cell");
  c.cell = field<std::string>(line, "cell", "cell");
  c.params = object_field(line, "params");
  c.open_loop = field_or(line, "open_loop", false);
  c.trials = field_or(line, "trials", 1);
  c.time_scale = field_or(line, "time_scale", 1.0);
  if (const auto it = line.find("items"); it != line.end() && it->is_array()) c.items = *it;
  return c;
}

TrialEnd trial_end_from(const json& line) {
  TrialEnd t;
  t.cell_key = field<std::string>(line, "cell_key", "trial_end");
  t.trial = field<int>(line, "trial", "trial_end");
  t.planned = field_or<std::int64_t>(line, "planned", 0);
  t.sent = field_or<std::int64_t>(line, "sent", 0);
  t.completed = field_or<std::int64_t>(line, "completed", 0);
  t.failed = field_or<std::int64_t>(line, "failed", 0);
  t.cancelled = field_or<std::int64_t>(line, "cancelled", 0);
  t.stop_reason = field_or<std::string>(line, "stop_reason", "none");
  t.stop_detail = field_or<std::string>(line, "stop_detail", "");
  t.window_start_ns = field_or<std::int64_t>(line, "window_start_ns", 0);
  t.window_end_ns = field_or<std::int64_t>(line, "window_end_ns", 0);
  t.target_rate = optional_field(line, "target_rate");
  t.achieved_rate = optional_field(line, "achieved_rate");
  t.telemetry = object_field(line, "telemetry");
  return t;
}

CellEnd cell_end_from(const json& line) {
  CellEnd c;
  c.cell_key = field<std::string>(line, "cell_key", "cell_end");
  c.complete = field_or(line, "complete", false);
  c.stop_reason = field_or<std::string>(line, "stop_reason", "none");
  return c;
}

}  // namespace servemeter
