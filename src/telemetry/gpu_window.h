#pragma once
// What the GPUs did during one window (a cell): folded sample by sample, so a long cell costs
// no memory. Pure arithmetic; the sampler decides which samples belong to the window.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "telemetry/gpu_sample.h"

namespace servemeter::telemetry {

struct GpuWindowStats {  // one GPU
  int index = 0;
  std::string name;
  std::size_t samples = 0;                // samples in the window with a reading of this GPU
  std::optional<double> idle_memory_mib;  // the last sample before the window
  std::optional<double> peak_memory_mib;
  std::optional<double> mean_memory_mib;
  std::optional<double> memory_total_mib;
  std::optional<double> mean_utilization_pct;
  std::optional<double> peak_utilization_pct;
  std::optional<double> mean_power_w;
  std::optional<double> max_temperature_c;
  std::optional<double> mean_sm_clock_mhz;
};

struct GpuWindowSummary {
  std::string probe;        // "nvml" | "nvidia-smi" | "none" | a test's name
  std::string null_reason;  // non-empty: nothing was measured; "no GPU telemetry: <why>"
  std::int64_t begin_ns = 0;
  std::int64_t end_ns = 0;
  std::size_t sample_count = 0;    // good samples in the window
  std::size_t failed_samples = 0;  // looks that failed in the window
  std::string last_error;          // the last failed look's reason
  // All GPUs together, per sample then over the window: memory and power are summed over the
  // GPUs (a model split over GPUs holds the sum); utilisation is the mean over the GPUs, its
  // peak the highest any one GPU reached; temperature is the hottest GPU. A sample where some
  // GPU lacks a field does not count towards that field's sum.
  std::optional<double> idle_memory_mib;
  std::optional<double> peak_memory_mib;
  std::optional<double> mean_memory_mib;
  std::optional<double> memory_total_mib;
  std::optional<double> mean_utilization_pct;
  std::optional<double> peak_utilization_pct;
  std::optional<double> mean_power_w;
  std::optional<double> max_temperature_c;
  std::optional<double> mean_sm_clock_mhz;
  std::vector<GpuWindowStats> gpus;
};

// A summary with every figure null and `null_reason` = "no GPU telemetry: <why>".
GpuWindowSummary unmeasured_window(std::string_view probe, std::string_view why);

// Why `field` (a GpuWindowSummary member name, e.g. "peak_memory_mib") is null in `summary`.
std::string gpu_null_reason(const GpuWindowSummary& summary, std::string_view field);

class GpuWindowAccumulator {
 public:
  GpuWindowAccumulator(std::string probe, const std::vector<GpuIdentity>& gpus);
  // The baseline before the window; a later call replaces it.
  void set_idle(const GpuSample& sample);
  void add(const GpuSample& sample);
  GpuWindowSummary summary(std::int64_t begin_ns, std::int64_t end_ns) const;

 private:
  struct Running {
    std::size_t count = 0;
    double sum = 0;
    double max = 0;
    void add(double v);
    std::optional<double> mean() const;
    std::optional<double> peak() const;
  };
  struct PerGpu {
    GpuIdentity identity;
    std::size_t samples = 0;
    std::optional<double> idle_memory, memory_total;
    Running memory, utilization, power, temperature, sm_clock;
  };
  PerGpu& slot(int index);

  std::string probe_;
  std::vector<PerGpu> gpus_;
  std::optional<double> idle_memory_sum_;
  Running memory_sum_, utilization_mean_, utilization_any_, power_sum_, temperature_any_,
      sm_clock_any_;
  std::size_t samples_ = 0;
  std::size_t failed_ = 0;
  std::string last_error_;
};

}  // namespace servemeter::telemetry
