#include "results/results_json.h"

#include <set>

#include "core/statistics.h"

namespace servemeter {
namespace {

using nlohmann::json;

// Distribution fields in the runbook's naming: avg_/p50_/…_<name>_ms.
void put_distribution(json& out, json& null_reasons, const std::string& name,
                      const std::optional<Distribution>& d, const std::string& why_missing) {
  const std::string keys[] = {"avg", "p50", "p90", "p95", "p99", "min", "max", "std"};
  for (const auto& key : keys) {
    const std::string field = key + "_" + name + "_ms";
    if (!d) {
      out[field] = nullptr;
      null_reasons[field] = why_missing;
      continue;
    }
    const double value = key == "avg"   ? d->mean
                         : key == "p50" ? d->p50
                         : key == "p90" ? d->p90
                         : key == "p95" ? d->p95
                         : key == "p99" ? d->p99
                         : key == "min" ? d->min
                         : key == "max" ? d->max
                                        : d->std;
    out[field] = value;
  }
}

void put_optional(json& out, json& null_reasons, const std::string& field,
                  const std::optional<double>& value, const std::string& why_missing) {
  if (value) {
    out[field] = *value;
  } else {
    out[field] = nullptr;
    null_reasons[field] = why_missing;
  }
}

}  // namespace

json cell_figures_json(const CellSummary& s, bool open_loop) {
  json out = json::object();
  json null_reasons = json::object();
  const std::string no_success = "no successful measured request";
  out["num_requests"] = s.measured;
  out["successful_requests"] = s.succeeded;
  put_distribution(out, null_reasons, "ttft", s.ttft_ms, "no successful request produced a token");
  put_distribution(out, null_reasons, "ttfc", s.ttfc_ms,
                   "no successful request produced answer content (reasoning only, or none)");
  put_distribution(out, null_reasons, "tpot", s.tpot_ms,
                   "no successful request produced more than one output token");
  put_distribution(out, null_reasons, "itl", s.itl_ms,
                   "no successful request produced two token-bearing events");
  put_distribution(out, null_reasons, "latency", s.e2el_ms, no_success);
  if (open_loop) {
    put_distribution(out, null_reasons, "send_lag", s.send_lag_ms, no_success);
    put_distribution(out, null_reasons, "latency_from_intended", s.e2el_from_intended_ms,
                     no_success);
    put_distribution(out, null_reasons, "ttft_from_intended", s.ttft_from_intended_ms, no_success);
    put_optional(out, null_reasons, "achieved_request_rate", s.achieved_request_rate,
                 "fewer than two measured requests were sent");
  }
  // Runbook meaning kept: total_token_throughput is *generated* tokens per second.
  put_optional(out, null_reasons, "total_token_throughput", s.output_throughput_tok_s, no_success);
  put_optional(out, null_reasons, "output_throughput_tok_s", s.output_throughput_tok_s, no_success);
  put_optional(
      out, null_reasons, "total_throughput_tok_s", s.total_throughput_tok_s,
      s.input_tokens_unknown ? "the server did not report input token counts" : no_success);
  put_optional(out, null_reasons, "request_throughput", s.request_throughput, no_success);
  put_optional(out, null_reasons, "success_rate", s.success_rate, "no measured request");
  put_optional(out, null_reasons, "cached_token_fraction", s.cached_token_fraction,
               "the server reported no cached-token counts");
  out["total_time_sec"] = s.duration_s;
  out["total_output_tokens"] = s.output_tokens;
  out["total_input_tokens"] = s.input_tokens_unknown ? json(nullptr) : json(s.input_tokens);
  out["output_token_count_source"] =
      s.output_tokens_from_chunks ? "chunk_count (approximate)" : "server";
  out["errors"] = s.errors_by_kind;
  out["retries"] = s.retries;
  const std::string no_telemetry =
      "not measured: GPU telemetry is not collected by this version of servemeter";
  out["gpu_memory_mb"] = nullptr;
  out["gpu_utilization_pct"] = nullptr;
  null_reasons["gpu_memory_mb"] = no_telemetry;
  null_reasons["gpu_utilization_pct"] = no_telemetry;
  out["null_reasons"] = null_reasons;
  return out;
}

json results_json(const RunDocument& run) {
  json doc;
  doc["schema_version"] = kResultsSchemaVersion;
  doc["tool"] = {{"name", "servemeter"}, {"version", run.meta.tool_version}};
  doc["command_line"] = run.meta.command_line;
  doc["framework"] = run.meta.framework;
  doc["model"] = run.meta.model;
  doc["model_id"] = run.meta.model_id;
  doc["base_url"] = run.meta.base_url;
  doc["api"] = run.meta.api;
  doc["simulated"] = run.meta.simulated;
  doc["time_scale"] = run.meta.time_scale;
  doc["started_at"] = run.meta.started_at;
  doc["request_options"] = run.meta.request_options;
  doc["results"] = json::array();
  for (const auto& cell : run.cells) {
    json entry = {{"scenario", cell.scenario}, {"cell", cell.cell}, {"params", cell.params}};
    json trials = json::array();
    std::vector<json> figures;
    for (const auto& records : cell.trials) {
      figures.push_back(cell_figures_json(summarize_cell(records, cell.open_loop, cell.time_scale),
                                          cell.open_loop));
      trials.push_back(figures.back());
    }
    // Top-level figures: mean over trials (a single trial: that trial's figures), with the
    // spread of every numeric figure under trial_stats.
    json stats = json::object();
    if (!figures.empty()) {
      json merged = figures.front();
      for (auto& [field, value] : merged.items()) {
        if (!value.is_number() || field == "num_requests" || field == "successful_requests" ||
            field == "retries")
          continue;
        std::vector<double> per_trial;
        for (const auto& f : figures)
          if (f.contains(field) && f[field].is_number())
            per_trial.push_back(f[field].get<double>());
        if (per_trial.size() != figures.size()) continue;
        const auto estimate = estimate_over_trials(per_trial);
        value = estimate->mean;
        json stat = {{"mean", estimate->mean}, {"n", estimate->trials}};
        stat["std"] = estimate->std ? json(*estimate->std) : json(nullptr);
        stat["ci95_low"] = estimate->ci95_low ? json(*estimate->ci95_low) : json(nullptr);
        stat["ci95_high"] = estimate->ci95_high ? json(*estimate->ci95_high) : json(nullptr);
        stats[field] = stat;
      }
      // Counts add up over trials rather than average.
      std::size_t measured = 0, succeeded = 0, retries = 0;
      json errors = json::object();
      for (const auto& f : figures) {
        measured += f["num_requests"].get<std::size_t>();
        succeeded += f["successful_requests"].get<std::size_t>();
        retries += f["retries"].get<std::size_t>();
        for (const auto& [kind, count] : f["errors"].items())
          errors[kind] = errors.value(kind, std::size_t{0}) + count.get<std::size_t>();
      }
      merged["num_requests"] = measured;
      merged["successful_requests"] = succeeded;
      merged["retries"] = retries;
      merged["errors"] = errors;
      entry.update(merged);
    }
    entry["num_trials"] = cell.trials.size();
    entry["trial_stats"] = stats;
    entry["trials"] = trials;
    doc["results"].push_back(entry);
  }
  return doc;
}

}  // namespace servemeter
