#include "analysis/results_document.h"

#include <cstdio>
#include <set>

#include "analysis/figures_json.h"
#include "analysis/scenario_figures.h"
#include "core/statistics.h"

namespace servemeter {
namespace {

using nlohmann::json;

// Fields that are counts of one trial: summed over trials under *_total, not averaged.
const std::set<std::string> kCounts = {"measured_requests",           "successful_requests",
                                       "cancelled_requests",          "stopped_early_requests",
                                       "input_below_target_requests", "retries",
                                       "invalid_utf8_requests",       "total_output_tokens",
                                       "total_input_tokens",          "total_output_chars"};

json param(const json& params, const char* key) {
  const auto it = params.find(key);
  return it == params.end() ? json(nullptr) : *it;
}

// Mean over trials of every numeric figure, its spread under trial_stats, and counts summed.
void merge_trials(json& entry, const std::vector<json>& trials) {
  json merged = json::object();
  json stats = json::object();
  json null_reasons = json::object();
  std::set<std::string> fields;
  for (const auto& t : trials)
    for (const auto& [field, value] : t.items())
      if (field != "null_reasons" && field != "errors" && field != "error_http_statuses")
        fields.insert(field);
  for (const auto& field : fields) {
    std::vector<double> values;
    bool any_string = false;
    for (const auto& t : trials) {
      const auto it = t.find(field);
      if (it == t.end()) continue;
      if (it->is_number()) values.push_back(it->get<double>());
      if (it->is_string() || it->is_boolean()) {
        any_string = true;
        merged[field] = *it;
      }
    }
    if (any_string) continue;
    if (kCounts.contains(field)) {
      double sum = 0;
      for (double v : values) sum += v;
      merged[field + "_total"] = values.empty() ? json(nullptr) : json(sum);
      continue;
    }
    if (values.empty()) {
      merged[field] = nullptr;
      for (const auto& t : trials)
        if (const auto r = t["null_reasons"].find(field); r != t["null_reasons"].end()) {
          null_reasons[field] = *r;
          break;
        }
      continue;
    }
    const auto e = estimate_over_trials(values);
    merged[field] = e->mean;
    json stat = {{"mean", e->mean}, {"n", e->trials}};
    stat["std"] = e->std ? json(*e->std) : json(nullptr);
    stat["ci95_low"] = e->ci95_low ? json(*e->ci95_low) : json(nullptr);
    stat["ci95_high"] = e->ci95_high ? json(*e->ci95_high) : json(nullptr);
    if (values.size() < trials.size())
      stat["note"] = "measured in " + std::to_string(values.size()) + " of " +
                     std::to_string(trials.size()) + " trials";
    stats[field] = stat;
  }
  json errors = json::object();
  json statuses = json::object();
  auto add_counts = [](json& into, const json& trial, const char* key) {
    const auto it = trial.find(key);
    if (it == trial.end() || !it->is_object()) return;
    for (const auto& [name, n] : it->items())
      if (n.is_number()) into[name] = into.value(name, 0) + n.get<int>();
  };
  for (const auto& t : trials) {
    add_counts(errors, t, "errors");
    add_counts(statuses, t, "error_http_statuses");
  }
  merged["errors_total"] = errors;
  merged["error_http_statuses_total"] = statuses;
  entry.update(merged);
  entry["trial_stats"] = stats;
  entry["null_reasons"] = null_reasons;
}

// GPU figures of a cell from its trials' telemetry; null with a reason when there are none.
void put_gpu(json& entry, const CellDigest& cell) {
  std::vector<double> memory, utilisation;
  std::string why = "no GPU telemetry was recorded for this cell";
  for (const auto& t : cell.trials) {
    if (!t.end) continue;
    const json& tel = t.end->telemetry;
    if (const auto it = tel.find("gpu_memory_mb"); it != tel.end() && it->is_number())
      memory.push_back(it->get<double>());
    if (const auto it = tel.find("gpu_utilization_pct"); it != tel.end() && it->is_number())
      utilisation.push_back(it->get<double>());
    if (const auto it = tel.find("gpu_null_reason"); it != tel.end() && it->is_string())
      why = it->get<std::string>();
  }
  auto mean = [](const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return s / static_cast<double>(v.size());
  };
  auto& reasons = entry["null_reasons"];
  if (memory.empty()) {
    entry["gpu_memory_mb"] = nullptr;
    reasons["gpu_memory_mb"] = why;
  } else {
    entry["gpu_memory_mb"] = mean(memory);
  }
  if (utilisation.empty()) {
    entry["gpu_utilization_pct"] = nullptr;
    reasons["gpu_utilization_pct"] = why;
  } else {
    entry["gpu_utilization_pct"] = mean(utilisation);
  }
}

// "12.3ms", or "n/a" when the figure was not measured.
std::string format_number(const json& v, const char* format, const char* unit) {
  if (!v.is_number()) return "n/a";
  char text[64];
  std::snprintf(text, sizeof text, format, v.get<double>());
  return std::string(text) + unit;
}

}  // namespace

json cell_entry(const CellDigest& cell, const std::string& framework) {
  const CellInfo& info = cell.info;
  json entry = json::object();
  entry["scenario"] = info.scenario;
  entry["framework"] = framework;
  entry["concurrency"] = param(info.params, "concurrency");
  entry["input_tokens"] = param(info.params, "input_tokens");
  entry["output_tokens"] = param(info.params, "output_tokens");
  entry["num_requests"] = param(info.params, "num_requests");
  std::vector<json> trials;
  for (const auto& t : cell.trials) {
    json figures = figures_json(t.figures, info.open_loop);
    figures["trial"] = t.trial;
    if (t.end) {
      figures["stop_reason"] = t.end->stop_reason;
      if (t.end->target_rate) figures["target_request_rate"] = *t.end->target_rate;
      if (!t.end->telemetry.empty()) figures["telemetry"] = t.end->telemetry;
    } else {
      figures["stop_reason"] = "cut off (the run was killed during this trial)";
    }
    trials.push_back(std::move(figures));
  }
  merge_trials(entry, trials);
  put_gpu(entry, cell);
  entry["cell"] = info.cell;
  entry["cell_key"] = info.cell_key;
  entry["run_id"] = info.run_id;
  entry["params"] = info.params;
  entry["open_loop"] = info.open_loop;
  entry["complete"] = cell.complete;
  entry["stop_reason"] = cell.stop_reason;
  entry["num_trials"] = cell.trials.size();
  entry["trials_planned"] = info.trials;
  entry["pooled"] = distributions_json(cell.pooled, info.open_loop);
  if (info.scenario == "prefix_cache" || info.scenario == "prefix_cache_control")
    entry["prefix_cache"] = prefix_cache_figures(cell);
  if (info.scenario == "korean_ko" || info.scenario == "korean_en")
    entry["korean_items"] = korean_item_figures(cell);
  entry["trials"] = trials;
  return entry;
}

json results_document(const FrameworkLog& log) {
  json doc = json::object();
  const RunInfo latest = log.runs.empty() ? RunInfo{} : log.runs.back();
  doc["framework"] = latest.framework;
  doc["model_preset"] = latest.model_preset;
  doc["model"] = latest.model;
  doc["timestamp"] = latest.timestamp;
  doc["server_config"] = {{"base_url", latest.base_url},
                          {"model", latest.model},
                          {"chat_endpoint", latest.chat_endpoint}};
  // GPU state over the whole file: the newest cell's telemetry that has any.
  json gpu = {{"memory_used_mb", nullptr},
              {"memory_total_mb", nullptr},
              {"gpu_utilization_pct", nullptr},
              {"null_reasons",
               {{"memory_used_mb", "no GPU telemetry was recorded"},
                {"memory_total_mb", "no GPU telemetry was recorded"},
                {"gpu_utilization_pct", "no GPU telemetry was recorded"}}}};
  for (auto cell = log.cells.rbegin(); cell != log.cells.rend(); ++cell) {
    for (const auto& t : cell->trials) {
      if (!t.end) continue;
      if (const auto it = t.end->telemetry.find("gpu_info"); it != t.end->telemetry.end())
        gpu = *it;
    }
    if (!gpu["memory_used_mb"].is_null()) break;
  }
  doc["gpu_info"] = gpu;
  doc["results"] = json::array();
  for (const auto& cell : log.cells) doc["results"].push_back(cell_entry(cell, latest.framework));

  doc["schema_version"] = kResultsSchemaVersion;
  doc["tool"] = {{"name", "servemeter"}, {"version", latest.tool_version}};
  doc["simulated"] = latest.simulated;
  doc["time_scale"] = latest.time_scale;
  doc["api"] = latest.api;
  doc["request_options"] = latest.request_options;
  doc["server_info"] = latest.server_info;
  json runs = json::array();
  for (const auto& run : log.runs)
    runs.push_back({{"run_id", run.run_id},
                    {"timestamp", run.timestamp},
                    {"started_at_utc", run.started_at_utc},
                    {"tool_version", run.tool_version},
                    {"command_line", run.command_line},
                    {"simulated", run.simulated}});
  doc["runs"] = runs;
  doc["prefix_cache_vs_control"] = prefix_cache_comparison(log);
  doc["korean_vs_english"] = korean_comparison(log);
  doc["raw_log"] = log.path.filename().string();
  doc["problems"] = log.problems;
  return doc;
}

std::string results_document_text(const json& document) {
  return document.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string summary_line(const json& e) {
  const auto concurrency = e.contains("concurrency") ? e["concurrency"].dump() : std::string("?");
  const std::string label = e.value("cell", std::string());
  // The runbook's line names the concurrency; a label that already does is not repeated.
  const std::string conc =
      label.find("conc=") != std::string::npos ? std::string() : " conc=" + concurrency;
  return "[" + e.value("scenario", std::string("?")) + "] " + label + conc +
         " | TTFT=" + format_number(e.value("avg_ttft_ms", json()), "%.1f", "ms") +
         " | throughput=" +
         format_number(e.value("total_token_throughput", json()), "%.1f", "tok/s") +
         " | p99=" + format_number(e.value("p99_latency_ms", json()), "%.1f", "ms") +
         " | success=" + format_number(e.value("success_rate", json()), "%.1f", "%");
}

}  // namespace servemeter
