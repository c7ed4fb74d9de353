#pragma once
// The GPU samples of each window as JSONL, beside the requests log (e.g. `<stem>_gpu.jsonl`).
// Lines are appended with one write() each on an O_APPEND descriptor, so a process that dies
// leaves whole lines behind (at worst the very last one cut short: readers skip a line that does
// not parse). Several windows (cells) and several runs append to one file.
//
// Lines, each a JSON object with "type":
//   header        once, when the file is new: schema "servemeter.gpu_timeseries/1", clock
//                 "CLOCK_MONOTONIC" (the clock of the requests log's *_ns stamps), time_unit
//                 "ns", probe ("nvml" | "nvidia-smi" | "none"), gpus [{index, name, uuid}].
//   window_begin  label, begin_ns, idle: the baseline sample before the window ({t_ns, gpus})
//                 or null.
//   sample        label, t_ns (taken just before the GPUs were read) and gpus: [{index,
//                 memory_used_mib, memory_total_mib, utilization_pct, power_w, temperature_c,
//                 sm_clock_mhz}], null where the GPU did not report a field; or error (a failed
//                 look) instead of gpus.
//   window_end    label, end_ns, summary (telemetry/gpu_json.h's gpu_window_json).
// Memory is in MiB, utilisation in %, power in W, temperature in °C, clocks in MHz.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "telemetry/gpu_sample.h"
#include "telemetry/gpu_window.h"

namespace servemeter::telemetry {

inline constexpr std::string_view kGpuTimeseriesSchema = "servemeter.gpu_timeseries/1";

class GpuTimeseriesWriter {
 public:
  // Null on failure, with `error` naming the path and the system's reason.
  static std::unique_ptr<GpuTimeseriesWriter> open(const std::filesystem::path& path,
                                                   std::string_view probe,
                                                   const std::vector<GpuIdentity>& gpus,
                                                   std::string& error);
  ~GpuTimeseriesWriter();
  GpuTimeseriesWriter(const GpuTimeseriesWriter&) = delete;
  GpuTimeseriesWriter& operator=(const GpuTimeseriesWriter&) = delete;

  void window_begin(const std::string& label, std::int64_t begin_ns, const GpuSample* idle);
  void sample(const std::string& label, const GpuSample& sample);
  void window_end(const std::string& label, std::int64_t end_ns, const GpuWindowSummary& summary);
  // The first write error, if any (later lines are still attempted).
  const std::string& write_error() const { return write_error_; }

 private:
  GpuTimeseriesWriter(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)) {}
  void write_line(std::string line);

  int fd_;
  std::filesystem::path path_;
  std::string write_error_;
};

}  // namespace servemeter::telemetry
