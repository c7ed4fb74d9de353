#pragma once
// After a server stops, its GPU memory is handed back by the driver, not always at once. The next
// framework must not start before that, or it finds less memory than the first one had. The
// memory in use before the server started is the baseline to return to.
#include <csignal>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "telemetry/gpu_probe.h"

namespace servemeter {

struct GpuMemoryBaseline {
  std::vector<telemetry::GpuReading> gpus;  // memory in use per GPU before the server started
  std::string unavailable;                  // why there is none (no GPU, a failed look)
};

// One look at the GPUs' memory; never throws.
GpuMemoryBaseline gpu_memory_baseline(telemetry::GpuProbe& probe);

struct GpuReleaseOptions {
  double timeout_s = 120;
  // Memory within this much of the baseline counts as released (other processes come and go;
  // the driver keeps a little per context): the larger of this and 2% of the GPU's memory.
  double tolerance_mib = 1024;
  double poll_interval_s = 1;
  const volatile std::sig_atomic_t* stop = nullptr;  // an interrupt ends the wait
  std::ostream* progress = nullptr;
  double progress_every_s = 10;
};

struct GpuReleaseResult {
  bool checked = false;   // false: no GPU to look at (message says why)
  bool released = false;  // every GPU back within tolerance of its baseline
  double seconds = 0;
  std::string message;  // one line: what was seen, and what to do when it was not released
};

GpuReleaseResult wait_for_gpu_release(telemetry::GpuProbe& probe, const GpuMemoryBaseline& baseline,
                                      const GpuReleaseOptions& options = {});

}  // namespace servemeter
