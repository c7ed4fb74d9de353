#include "orchestrate/gpu_release.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ostream>
#include <thread>

namespace servemeter {
namespace {

using Clock = std::chrono::steady_clock;

std::string mib(double value) {
  return std::to_string(std::llround(value)) + " MiB";
}

const telemetry::GpuReading* find(const std::vector<telemetry::GpuReading>& gpus, int index) {
  for (const auto& g : gpus)
    if (g.index == index) return &g;
  return nullptr;
}

struct Comparison {
  bool released = true;
  std::string detail;  // "GPU 0: 61234 MiB in use (baseline 512 MiB)"
};

Comparison compare(const GpuMemoryBaseline& baseline, const telemetry::GpuSample& now,
                   double tolerance_mib) {
  Comparison c;
  for (const auto& before : baseline.gpus) {
    const auto* after = find(now.gpus, before.index);
    if (after == nullptr || !after->memory_used_mib || !before.memory_used_mib) continue;
    const double total = after->memory_total_mib.value_or(0);
    const double allowed = std::max(tolerance_mib, 0.02 * total);
    const bool back = *after->memory_used_mib <= *before.memory_used_mib + allowed;
    c.released = c.released && back;
    c.detail += (c.detail.empty() ? "" : "; ") +
                ("GPU " + std::to_string(before.index) + ": " + mib(*after->memory_used_mib) +
                 " in use (before the server: " + mib(*before.memory_used_mib) + ")");
  }
  return c;
}

std::string seconds_text(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%g s", seconds);
  return text;
}

bool stopping(const volatile std::sig_atomic_t* stop) {
  return stop != nullptr && *stop != 0;
}

}  // namespace

GpuMemoryBaseline gpu_memory_baseline(telemetry::GpuProbe& probe) {
  GpuMemoryBaseline baseline;
  if (probe.kind() == "none") {
    baseline.unavailable = probe.unavailable_reason();
    return baseline;
  }
  const telemetry::GpuSample sample = probe.sample();
  if (!sample.error.empty()) {
    baseline.unavailable = sample.error;
    return baseline;
  }
  for (const auto& g : sample.gpus)
    if (g.memory_used_mib) baseline.gpus.push_back(g);
  if (baseline.gpus.empty()) baseline.unavailable = "the GPUs report no memory figure";
  return baseline;
}

GpuReleaseResult wait_for_gpu_release(telemetry::GpuProbe& probe, const GpuMemoryBaseline& baseline,
                                      const GpuReleaseOptions& options) {
  GpuReleaseResult result;
  if (!baseline.unavailable.empty() || baseline.gpus.empty()) {
    result.message = "GPU memory release not checked: " +
                     (baseline.unavailable.empty() ? std::string("no GPU memory figures")
                                                   : baseline.unavailable);
    return result;
  }
  const auto began = Clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - began).count(); };
  double next_progress = options.progress_every_s;
  std::string last_detail, last_error;
  while (true) {
    const telemetry::GpuSample sample = probe.sample();
    result.seconds = elapsed();
    if (sample.error.empty()) {
      result.checked = true;
      const Comparison c = compare(baseline, sample, options.tolerance_mib);
      last_detail = c.detail;
      if (c.released) {
        result.released = true;
        result.message = "GPU memory released (" + c.detail + ")";
        return result;
      }
    } else {
      last_error = sample.error;
    }
    if (stopping(options.stop)) {
      result.message = "interrupted while waiting for the GPU memory to be released (" +
                       (last_detail.empty() ? last_error : last_detail) + ")";
      return result;
    }
    if (result.seconds >= options.timeout_s) {
      result.message =
          last_detail.empty()
              ? "could not read the GPU memory after the server stopped: " + last_error
              : "GPU memory not released within " + seconds_text(options.timeout_s) +
                    " after the server stopped (" + last_detail +
                    "): a process may still hold it; check nvidia-smi and stop it, or the next "
                    "framework will have less memory than this one had";
      return result;
    }
    if (options.progress != nullptr && result.seconds >= next_progress) {
      next_progress = result.seconds + options.progress_every_s;
      *options.progress << "waiting for the GPU memory to be released: "
                        << std::llround(result.seconds) << " s; "
                        << (last_detail.empty() ? last_error : last_detail) << std::endl;
    }
    const auto until = Clock::now() + std::chrono::duration<double>(options.poll_interval_s);
    while (Clock::now() < until && !stopping(options.stop))
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace servemeter
