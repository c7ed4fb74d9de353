#pragma once
// GpuProbe over NVML, loaded with dlopen at run time (no build-time NVIDIA dependency).
#include <memory>
#include <string>

#include "telemetry/gpu_probe.h"

namespace servemeter::telemetry {

// Null when NVML cannot be used; then `why_not` says why ("libnvidia-ml.so.1 not found",
// "NVML could not start: Driver Not Loaded", "NVML found no GPU").
std::unique_ptr<GpuProbe> make_nvml_probe(const std::string& library, std::string& why_not);

}  // namespace servemeter::telemetry
