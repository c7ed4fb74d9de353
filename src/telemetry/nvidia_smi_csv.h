#pragma once
// Parsers for nvidia-smi's CSV queries (--format=csv,noheader,nounits). Lenient: a field that
// is "[N/A]", "[Not Supported]", "N/A", "ERR!" or not a number becomes an empty value; a line
// that is not a GPU row (no numeric index) is skipped and reported.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "telemetry/gpu_sample.h"

namespace servemeter::telemetry {

// The query the probe runs, in this order of fields.
inline constexpr std::string_view kSmiGpuQuery =
    "index,name,uuid,memory.used,memory.total,utilization.gpu,power.draw,temperature.gpu,"
    "clocks.sm,driver_version";
inline constexpr std::string_view kSmiProcessQuery = "gpu_uuid,pid,process_name,used_memory";

struct SmiGpuRow {
  GpuIdentity identity;
  GpuReading reading;
  std::optional<std::string> driver_version;
};

struct SmiGpuTable {
  std::vector<SmiGpuRow> rows;
  std::vector<std::string> bad_lines;  // at most a few, for the error message
};

SmiGpuTable parse_smi_gpu_csv(std::string_view text);

struct SmiProcessRow {
  std::string gpu_uuid;
  GpuProcess process;
};

std::vector<SmiProcessRow> parse_smi_process_csv(std::string_view text);

// A numeric field; empty for "[N/A]" and the like. Accepts a trailing unit ("75.3 W").
std::optional<double> parse_smi_number(std::string_view field);

// "CUDA Version: 13.0" from nvidia-smi's plain banner.
std::optional<std::string> parse_smi_cuda_version(std::string_view banner);

}  // namespace servemeter::telemetry
