#include "telemetry/nvidia_smi_probe.h"

#include "core/clock.h"
#include "telemetry/child_process.h"
#include "telemetry/nvidia_smi_csv.h"
#include "telemetry/utf8_excerpt.h"

namespace servemeter::telemetry {
namespace {

struct Query {
  SmiGpuTable table;
  std::string error;  // empty: the query worked
};

std::string first_line(const std::string& s) {
  return utf8_excerpt(std::string_view(s).substr(0, s.find('\n')), 200);
}

Query query_gpus(const std::string& program, std::chrono::milliseconds timeout) {
  Query q;
  const CommandResult r = run_command(
      {program, "--query-gpu=" + std::string(kSmiGpuQuery), "--format=csv,noheader,nounits"},
      timeout);
  if (!r.error.empty()) {
    // nvidia-smi prints its reason ("NVIDIA-SMI has failed because …") on stdout.
    const std::string said = first_line(r.out.empty() ? r.err : r.out);
    q.error = r.error + (said.empty() ? "" : ": " + said);
    return q;
  }
  q.table = parse_smi_gpu_csv(r.out);
  for (auto& row : q.table.rows) {
    row.identity.name = utf8_excerpt(row.identity.name, 256);
    row.identity.uuid = utf8_excerpt(row.identity.uuid, 256);
  }
  if (q.table.rows.empty()) {
    q.error =
        program + " listed no GPU" +
        (q.table.bad_lines.empty() ? ""
                                   : " (it said: " + first_line(q.table.bad_lines.front()) + ")");
  }
  return q;
}

class NvidiaSmiProbe final : public GpuProbe {
 public:
  NvidiaSmiProbe(std::string program, std::chrono::milliseconds timeout,
                 std::vector<GpuIdentity> gpus)
      : program_(std::move(program)), timeout_(timeout), gpus_(std::move(gpus)) {}

  std::string_view kind() const override { return "nvidia-smi"; }
  const std::string& unavailable_reason() const override { return no_reason_; }
  const std::vector<GpuIdentity>& gpus() const override { return gpus_; }

  GpuSample sample() override {
    GpuSample s;
    s.t_ns = monotonic_ns();
    Query q = query_gpus(program_, timeout_);
    if (!q.error.empty()) {
      s.error = q.error;
      return s;
    }
    for (auto& row : q.table.rows) s.gpus.push_back(row.reading);
    return s;
  }

  GpuInventory inventory() override {
    GpuInventory inv;
    inv.probe = "nvidia-smi";
    Query q = query_gpus(program_, timeout_);
    if (!q.error.empty()) {
      inv.unavailable_reason = q.error;
      return inv;
    }
    for (auto& row : q.table.rows) {
      if (!inv.driver_version) inv.driver_version = row.driver_version;
      GpuInventoryEntry entry;
      entry.identity = row.identity;
      entry.memory_used_mib = row.reading.memory_used_mib;
      entry.memory_total_mib = row.reading.memory_total_mib;
      inv.gpus.push_back(std::move(entry));
    }
    const CommandResult banner = run_command({program_}, timeout_);
    if (banner.error.empty()) inv.cuda_version = parse_smi_cuda_version(banner.out);
    const CommandResult apps =
        run_command({program_, "--query-compute-apps=" + std::string(kSmiProcessQuery),
                     "--format=csv,noheader,nounits"},
                    timeout_);
    if (!apps.error.empty()) {
      inv.processes_error = "nvidia-smi could not list processes: " + apps.error;
      return inv;
    }
    for (auto& row : parse_smi_process_csv(apps.out)) {
      row.process.name = utf8_excerpt(row.process.name, 256);
      for (auto& entry : inv.gpus) {
        if (entry.identity.uuid == row.gpu_uuid) entry.processes.push_back(row.process);
      }
    }
    return inv;
  }

 private:
  std::string program_;
  std::chrono::milliseconds timeout_;
  std::vector<GpuIdentity> gpus_;
  std::string no_reason_;
};

}  // namespace

std::unique_ptr<GpuProbe> make_nvidia_smi_probe(const std::string& program,
                                                std::chrono::milliseconds timeout,
                                                std::string& why_not) {
  if (!program_on_path(program)) {
    why_not = program + (program.find('/') == std::string::npos ? " not on PATH" : " not found");
    return nullptr;
  }
  Query q = query_gpus(program, timeout);
  if (!q.error.empty()) {
    why_not = q.error;
    return nullptr;
  }
  std::vector<GpuIdentity> gpus;
  for (auto& row : q.table.rows) gpus.push_back(row.identity);
  return std::make_unique<NvidiaSmiProbe>(program, timeout, std::move(gpus));
}

}  // namespace servemeter::telemetry
