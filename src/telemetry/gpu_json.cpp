#include "telemetry/gpu_json.h"

namespace servemeter::telemetry {
namespace {

using nlohmann::json;

json or_null(const std::optional<double>& v) {
  return v ? json(*v) : json(nullptr);
}

template <typename Stats>
void put_figures(json& out, const Stats& s, const GpuWindowSummary& summary) {
  const std::pair<const char*, const std::optional<double>*> figures[] = {
      {"idle_memory_mib", &s.idle_memory_mib},
      {"peak_memory_mib", &s.peak_memory_mib},
      {"mean_memory_mib", &s.mean_memory_mib},
      {"memory_total_mib", &s.memory_total_mib},
      {"mean_utilization_pct", &s.mean_utilization_pct},
      {"peak_utilization_pct", &s.peak_utilization_pct},
      {"mean_power_w", &s.mean_power_w},
      {"max_temperature_c", &s.max_temperature_c},
      {"mean_sm_clock_mhz", &s.mean_sm_clock_mhz},
  };
  for (const auto& [key, value] : figures)
    put_value_or_null(out, key, *value, gpu_null_reason(summary, key));
}

}  // namespace

void put_value_or_null(json& object, const std::string& key, const std::optional<double>& value,
                       const std::string& reason) {
  if (value) {
    object[key] = *value;
    return;
  }
  object[key] = nullptr;
  object["null_reasons"][key] = reason;
}

json gpu_reading_json(const GpuReading& r) {
  return json{{"index", r.index},
              {"memory_used_mib", or_null(r.memory_used_mib)},
              {"memory_total_mib", or_null(r.memory_total_mib)},
              {"utilization_pct", or_null(r.utilization_pct)},
              {"power_w", or_null(r.power_w)},
              {"temperature_c", or_null(r.temperature_c)},
              {"sm_clock_mhz", or_null(r.sm_clock_mhz)}};
}

json gpu_sample_json(const GpuSample& s) {
  json out{{"t_ns", s.t_ns}};
  if (!s.error.empty()) {
    out["error"] = s.error;
    return out;
  }
  json gpus = json::array();
  for (const auto& r : s.gpus) gpus.push_back(gpu_reading_json(r));
  out["gpus"] = std::move(gpus);
  return out;
}

json gpu_window_json(const GpuWindowSummary& s) {
  json out = json::object();
  out["probe"] = s.probe;
  if (!s.null_reason.empty()) out["null_reason"] = s.null_reason;
  out["begin_ns"] = s.begin_ns;
  out["end_ns"] = s.end_ns;
  out["sample_count"] = s.sample_count;
  out["failed_samples"] = s.failed_samples;
  if (!s.last_error.empty()) out["last_error"] = s.last_error;
  put_figures(out, s, s);
  json gpus = json::array();
  for (const auto& g : s.gpus) {
    json one{{"index", g.index}, {"name", g.name}, {"samples", g.samples}};
    put_figures(one, g, s);
    gpus.push_back(std::move(one));
  }
  out["gpus"] = std::move(gpus);
  return out;
}

json gpu_inventory_json(const GpuInventory& inv) {
  json out{{"probe", inv.probe}};
  if (!inv.unavailable_reason.empty()) out["unavailable_reason"] = inv.unavailable_reason;
  out["driver_version"] = inv.driver_version ? json(*inv.driver_version) : json(nullptr);
  out["cuda_version"] = inv.cuda_version ? json(*inv.cuda_version) : json(nullptr);
  json gpus = json::array();
  for (const auto& g : inv.gpus) {
    json processes = json::array();
    for (const auto& p : g.processes) {
      processes.push_back(
          {{"pid", p.pid}, {"name", p.name}, {"used_memory_mib", or_null(p.used_memory_mib)}});
    }
    gpus.push_back({{"index", g.identity.index},
                    {"name", g.identity.name},
                    {"uuid", g.identity.uuid},
                    {"memory_used_mib", or_null(g.memory_used_mib)},
                    {"memory_total_mib", or_null(g.memory_total_mib)},
                    {"processes", std::move(processes)}});
  }
  out["gpus"] = std::move(gpus);
  if (!inv.processes_error.empty()) out["processes_error"] = inv.processes_error;
  return out;
}

void put_runbook_gpu_fields(json& figures, const GpuWindowSummary& s) {
  put_value_or_null(figures, "gpu_memory_mb", s.peak_memory_mib,
                    gpu_null_reason(s, "peak_memory_mib"));
  put_value_or_null(figures, "gpu_utilization_pct", s.mean_utilization_pct,
                    gpu_null_reason(s, "mean_utilization_pct"));
}

json gpu_info_json(const GpuWindowSummary& s) {
  json out = json::object();
  put_value_or_null(out, "memory_used_mb", s.peak_memory_mib,
                    gpu_null_reason(s, "peak_memory_mib"));
  put_value_or_null(out, "memory_total_mb", s.memory_total_mib,
                    gpu_null_reason(s, "memory_total_mib"));
  put_value_or_null(out, "gpu_utilization_pct", s.mean_utilization_pct,
                    gpu_null_reason(s, "mean_utilization_pct"));
  return out;
}

}  // namespace servemeter::telemetry
