#pragma once
// Samples the GPUs on its own thread (every 100 ms by default) and summarises windows: the
// caller brackets a cell with begin_window()/end_window() and gets what the GPUs did meanwhile.
// Only start, stop and those brackets run in the caller's thread; they wait for the sampler's
// thread at most GpuSamplerOptions::wait_limit.
//
// Which samples count, by their t_ns (taken just before the GPUs are read):
//   idle   the last sample before begin_window(); if it is older than max_idle_age,
//          begin_window() first has a fresh one taken and waits for it.
//   window every sample from begin_window() on, up to and including one that end_window()
//          asks for (taken after end_window() was called), so every window has a sample at its
//          end even when it is shorter than the interval.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "telemetry/gpu_probe.h"
#include "telemetry/gpu_timeseries.h"
#include "telemetry/gpu_window.h"

namespace servemeter::telemetry {

struct GpuSamplerOptions {
  std::chrono::milliseconds interval{100};
  std::chrono::milliseconds max_idle_age{0};  // 0: twice the interval
  std::chrono::milliseconds wait_limit{10000};
};

struct GpuWindowOptions {
  std::string label;                 // names the window in the time series (a cell key)
  std::filesystem::path timeseries;  // empty: no time series; else appended as JSONL
};

class GpuSampler {
 public:
  // `probe` must outlive the sampler.
  explicit GpuSampler(GpuProbe& probe, GpuSamplerOptions options = {});
  ~GpuSampler();  // stops and joins
  GpuSampler(const GpuSampler&) = delete;
  GpuSampler& operator=(const GpuSampler&) = delete;

  // Starts the thread and waits for its first sample. A probe of kind "none" starts nothing:
  // its windows come back unmeasured with the probe's reason. Calling it twice does nothing.
  void start();
  // Wakes the thread, joins it (at most one probe call long: nvidia-smi's timeout bounds it).
  // Idempotent; an open window is dropped.
  void stop();
  bool running() const;

  // Has one sample taken now and waits for it; false when not running or the wait ran out.
  bool sample_now();
  std::uint64_t samples_taken() const;

  // Opens a window (an open one is dropped). Returns an error text, empty when all went well;
  // on an error (the time series cannot be opened) the window still opens, without the file.
  std::string begin_window(GpuWindowOptions options = {});
  // Closes the window and summarises it. Without a running sampler or an open window, every
  // figure is null and null_reason says why.
  GpuWindowSummary end_window();

 private:
  struct Window {
    GpuWindowOptions options;
    std::int64_t begin_ns = 0;
    std::int64_t end_ns = 0;
    std::uint64_t closing_request = 0;  // 0 until end_window asks for the closing sample
    bool closed = false;                // the closing sample arrived
    std::unique_ptr<GpuTimeseriesWriter> writer;
    GpuWindowAccumulator accumulator;
  };

  void run();
  void record(const GpuSample& sample, std::uint64_t served);
  // Asks the thread for a sample started after this call; returns the request's number.
  std::uint64_t request_sample_locked();
  bool wait_served_locked(std::unique_lock<std::mutex>& lock, std::uint64_t request);

  GpuProbe& probe_;
  GpuSamplerOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;    // to the sampler thread
  std::condition_variable served_;  // from it
  std::thread thread_;
  bool running_ = false;
  bool stopping_ = false;
  std::uint64_t requested_ = 0;     // sample requests made
  std::uint64_t served_up_to_ = 0;  // requests satisfied by a finished sample
  std::uint64_t taken_ = 0;
  std::optional<GpuSample> last_;  // the newest good sample
  std::optional<Window> window_;
};

}  // namespace servemeter::telemetry
