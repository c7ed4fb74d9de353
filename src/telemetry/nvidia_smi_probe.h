#pragma once
// GpuProbe over the nvidia-smi program: one child process per look (tens of ms), for machines
// where NVML cannot be loaded into our process.
#include <chrono>
#include <memory>
#include <string>

#include "telemetry/gpu_probe.h"

namespace servemeter::telemetry {

// Null when nvidia-smi is missing or cannot list a GPU; then `why_not` says why.
std::unique_ptr<GpuProbe> make_nvidia_smi_probe(const std::string& program,
                                                std::chrono::milliseconds timeout,
                                                std::string& why_not);

}  // namespace servemeter::telemetry
