#pragma once
// GPU telemetry as JSON, and the value-or-null helper the results writer uses: a figure that
// was not measured is null and its reason goes under "null_reasons", never a silent 0.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "telemetry/gpu_sample.h"
#include "telemetry/gpu_window.h"

namespace servemeter::telemetry {

// object[key] = value, or null plus object["null_reasons"][key] = reason.
void put_value_or_null(nlohmann::json& object, const std::string& key,
                       const std::optional<double>& value, const std::string& reason);

nlohmann::json gpu_reading_json(const GpuReading& reading);  // absent fields are null
nlohmann::json gpu_sample_json(const GpuSample& sample);     // {t_ns, gpus} or {t_ns, error}
nlohmann::json gpu_window_json(const GpuWindowSummary& summary);
nlohmann::json gpu_inventory_json(const GpuInventory& inventory);

// The runbook's per-trial fields: gpu_memory_mb = the peak memory in use during the window,
// summed over GPUs, in MiB (nvidia-smi's unit, which the runbook called MB);
// gpu_utilization_pct = the mean utilisation over the window and the GPUs. Reasons for nulls go
// into figures["null_reasons"].
void put_runbook_gpu_fields(nlohmann::json& figures, const GpuWindowSummary& summary);

// The results' top-level "gpu_info": {memory_used_mb (peak), memory_total_mb,
// gpu_utilization_pct (mean), null_reasons when any is null}.
nlohmann::json gpu_info_json(const GpuWindowSummary& summary);

}  // namespace servemeter::telemetry
