#pragma once
// What one look at the GPUs sees. Every figure is optional: a GPU that does not report a field
// (nvidia-smi's "[N/A]", NVML's NOT_SUPPORTED) leaves it empty, never 0.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace servemeter::telemetry {

struct GpuReading {
  int index = 0;                           // the driver's GPU index
  std::optional<double> memory_used_mib;   // MiB, as nvidia-smi counts it
  std::optional<double> memory_total_mib;  // MiB
  std::optional<double> utilization_pct;   // % of time a kernel ran over the driver's last period
  std::optional<double> power_w;           // board power draw, W
  std::optional<double> temperature_c;     // GPU core, °C
  std::optional<double> sm_clock_mhz;      // current SM clock, MHz
};

struct GpuSample {
  std::int64_t t_ns = 0;  // CLOCK_MONOTONIC (core/clock.h), taken just before the GPUs are read
  std::vector<GpuReading> gpus;
  std::string error;  // non-empty: this look failed (gpus is empty); says why
};

struct GpuIdentity {
  int index = 0;
  std::string name;  // "NVIDIA H200"
  std::string uuid;  // "GPU-…"; empty when not reported
};

struct GpuProcess {
  long pid = 0;
  std::string name;                       // empty when the driver cannot say
  std::optional<double> used_memory_mib;  // empty when not reported
};

struct GpuInventoryEntry {
  GpuIdentity identity;
  std::optional<double> memory_used_mib;
  std::optional<double> memory_total_mib;
  std::vector<GpuProcess> processes;  // compute processes on this GPU
};

// One-shot pre-flight picture: which GPUs, which driver, who is using them.
struct GpuInventory {
  std::string probe;                          // "nvml" | "nvidia-smi" | "none"
  std::string unavailable_reason;             // set when probe is "none" (or the inventory failed)
  std::optional<std::string> driver_version;  // "580.159.03"
  std::optional<std::string> cuda_version;    // the driver's CUDA version, "13.0"
  std::vector<GpuInventoryEntry> gpus;
  std::string processes_error;  // set when the process list could not be read
};

}  // namespace servemeter::telemetry
