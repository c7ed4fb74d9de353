#pragma once
// Where GPU figures come from: NVML (the driver's library, loaded at run time), nvidia-smi (a
// child process per look), or nowhere. Chosen once by make_gpu_probe(); the sampler and the
// pre-flight checks only see this interface, so tests can script a fake one.
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "telemetry/gpu_sample.h"

namespace servemeter::telemetry {

class GpuProbe {
 public:
  virtual ~GpuProbe() = default;
  // "nvml", "nvidia-smi" or "none" (tests may name theirs).
  virtual std::string_view kind() const = 0;
  // Empty when the probe can read GPUs; otherwise why not ("no NVIDIA driver: …").
  virtual const std::string& unavailable_reason() const = 0;
  // The GPUs found when the probe was made, in index order.
  virtual const std::vector<GpuIdentity>& gpus() const = 0;
  // One look at every GPU, stamped with monotonic_ns() before reading. Never throws; a failed
  // look has `error` set. Called from the sampler's thread, one call at a time.
  virtual GpuSample sample() = 0;
  // Names, driver and CUDA versions, processes. Never throws.
  virtual GpuInventory inventory() = 0;
};

enum class GpuProbeChoice { automatic, nvml, nvidia_smi, none };

struct GpuProbeOptions {
  GpuProbeChoice choice = GpuProbeChoice::automatic;   // automatic: NVML, then nvidia-smi
  std::string nvml_library = "libnvidia-ml.so.1";      // dlopen name (tests point it elsewhere)
  std::string nvidia_smi = "nvidia-smi";               // program name or path, found via PATH
  std::chrono::milliseconds nvidia_smi_timeout{5000};  // per call; a hung driver must not hang us
};

// Never throws and never returns null: when nothing works the probe is kind "none" and its
// unavailable_reason says why, e.g. "no NVIDIA driver: libnvidia-ml.so.1 not found and
// nvidia-smi not on PATH".
std::unique_ptr<GpuProbe> make_gpu_probe(const GpuProbeOptions& options = {});

// The probe that reads nothing; every figure it leads to is null with "no GPU telemetry: <why>".
std::unique_ptr<GpuProbe> make_no_gpu_probe(std::string reason);

// Convenience for pre-flight: make_gpu_probe(options)->inventory().
GpuInventory gpu_inventory(const GpuProbeOptions& options = {});

}  // namespace servemeter::telemetry
