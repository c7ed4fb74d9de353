#pragma once
// The pre-flight's checks, one function per runbook item; preflight.cpp runs them in order.
#include <vector>

#include "orchestrate/preflight.h"

namespace servemeter::preflight {

using Lines = std::vector<PreflightLine>;

// 1-1, 1-2: the GPU, its driver, other processes on it, its temperature.
void check_gpus(telemetry::GpuProbe& probe, const PreflightOptions& options, Lines& out);
// 1-3: free disk where the models and the results go.
void check_disk(const Presets& presets, const PreflightOptions& options, Lines& out);
// 1-4: the model, in the cache or reachable; for Ollama, pulled.
void check_model(const FrameworkPreset& preset, const LaunchValues& values,
                 const PreflightOptions& options, Lines& out);
// 1-6: the framework's venv and command.
void check_command(const FrameworkPreset& preset, const LaunchValues& values,
                   const PreflightOptions& options, Lines& out);
// The framework's port.
void check_port_free(const FrameworkPreset& preset, Lines& out);

}  // namespace servemeter::preflight
