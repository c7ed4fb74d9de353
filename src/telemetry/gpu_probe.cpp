#include "telemetry/gpu_probe.h"

#include "core/clock.h"
#include "telemetry/nvidia_smi_probe.h"
#include "telemetry/nvml_probe.h"

namespace servemeter::telemetry {
namespace {

class NoGpuProbe final : public GpuProbe {
 public:
  explicit NoGpuProbe(std::string reason) : reason_(std::move(reason)) {}
  std::string_view kind() const override { return "none"; }
  const std::string& unavailable_reason() const override { return reason_; }
  const std::vector<GpuIdentity>& gpus() const override { return gpus_; }
  GpuSample sample() override {
    GpuSample s;
    s.t_ns = monotonic_ns();
    s.error = reason_;
    return s;
  }
  GpuInventory inventory() override {
    GpuInventory inv;
    inv.probe = "none";
    inv.unavailable_reason = reason_;
    return inv;
  }

 private:
  std::string reason_;
  std::vector<GpuIdentity> gpus_;
};

bool ends_with(const std::string& s, std::string_view tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

}  // namespace

std::unique_ptr<GpuProbe> make_no_gpu_probe(std::string reason) {
  return std::make_unique<NoGpuProbe>(std::move(reason));
}

std::unique_ptr<GpuProbe> make_gpu_probe(const GpuProbeOptions& options) {
  std::string nvml_why, smi_why;
  switch (options.choice) {
    case GpuProbeChoice::none:
      return make_no_gpu_probe("GPU telemetry was turned off");
    case GpuProbeChoice::nvml:
      if (auto probe = make_nvml_probe(options.nvml_library, nvml_why)) return probe;
      return make_no_gpu_probe("NVML was asked for but " + nvml_why);
    case GpuProbeChoice::nvidia_smi:
      if (auto probe =
              make_nvidia_smi_probe(options.nvidia_smi, options.nvidia_smi_timeout, smi_why))
        return probe;
      return make_no_gpu_probe("nvidia-smi was asked for but " + smi_why);
    case GpuProbeChoice::automatic:
      break;
  }
  if (auto probe = make_nvml_probe(options.nvml_library, nvml_why)) return probe;
  if (auto probe = make_nvidia_smi_probe(options.nvidia_smi, options.nvidia_smi_timeout, smi_why))
    return probe;
  const bool no_driver = ends_with(nvml_why, " not found") &&
                         (ends_with(smi_why, " not on PATH") || ends_with(smi_why, " not found"));
  return make_no_gpu_probe(no_driver ? "no NVIDIA driver: " + nvml_why + " and " + smi_why
                                     : "no usable NVIDIA driver: " + nvml_why + "; " + smi_why);
}

GpuInventory gpu_inventory(const GpuProbeOptions& options) {
  return make_gpu_probe(options)->inventory();
}

}  // namespace servemeter::telemetry
