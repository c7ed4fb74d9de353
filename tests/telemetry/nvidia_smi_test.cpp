// nvidia-smi's CSV, parsed alone and through the probe against stand-in nvidia-smi scripts.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "support/temp_dir.h"
#include "telemetry/child_process.h"
#include "telemetry/gpu_probe.h"
#include "telemetry/nvidia_smi_csv.h"

namespace servemeter::telemetry {
namespace {

// As nvidia-smi 580 prints it for two H200s, the second idle with power not reported, plus a
// GPU whose name holds a comma and a line of prose; CRLF endings on one line.
constexpr const char* kGpuCsv =
    "0, NVIDIA H200, GPU-5d2f6a1e-8c3b-4b7e-9f1a-2c4d6e8f0a1b, 81234, 143771, 97, 612.45, 64, "
    "1980, 580.159.03\n"
    "1, NVIDIA H200, GPU-0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0, 0, 143771, 0, [N/A], 31, 345, "
    "580.159.03\r\n"
    "2, NVIDIA A100-SXM4-80GB, MIG 1g.10gb, GPU-77, 4, 81920, [Not Supported], [Not Supported], "
    "ERR!, [Unknown Error], 580.159.03\n"
    "Failed to initialize NVML: Unknown Error\n"
    "\n";

TEST(NvidiaSmiCsv, ParsesGpuRowsAndLeavesUnreportedFieldsEmpty) {
  const SmiGpuTable t = parse_smi_gpu_csv(kGpuCsv);
  ASSERT_EQ(t.rows.size(), 3u);
  ASSERT_EQ(t.bad_lines.size(), 1u);
  EXPECT_EQ(t.bad_lines[0], "Failed to initialize NVML: Unknown Error");

  const SmiGpuRow& a = t.rows[0];
  EXPECT_EQ(a.identity.index, 0);
  EXPECT_EQ(a.identity.name, "NVIDIA H200");
  EXPECT_EQ(a.identity.uuid, "GPU-5d2f6a1e-8c3b-4b7e-9f1a-2c4d6e8f0a1b");
  EXPECT_EQ(a.reading.memory_used_mib, 81234);
  EXPECT_EQ(a.reading.memory_total_mib, 143771);
  EXPECT_EQ(a.reading.utilization_pct, 97);
  EXPECT_EQ(a.reading.power_w, 612.45);
  EXPECT_EQ(a.reading.temperature_c, 64);
  EXPECT_EQ(a.reading.sm_clock_mhz, 1980);
  EXPECT_EQ(a.driver_version, "580.159.03");

  const SmiGpuRow& b = t.rows[1];
  EXPECT_EQ(b.reading.index, 1);
  EXPECT_EQ(b.reading.memory_used_mib, 0);  // a real zero stays zero
  EXPECT_FALSE(b.reading.power_w);          // [N/A] is absent, not zero
  EXPECT_EQ(b.reading.sm_clock_mhz, 345);
  EXPECT_EQ(b.driver_version, "580.159.03");

  const SmiGpuRow& c = t.rows[2];
  EXPECT_EQ(c.identity.name, "NVIDIA A100-SXM4-80GB, MIG 1g.10gb");
  EXPECT_EQ(c.identity.uuid, "GPU-77");
  EXPECT_EQ(c.reading.memory_used_mib, 4);
  EXPECT_FALSE(c.reading.utilization_pct);
  EXPECT_FALSE(c.reading.power_w);
  EXPECT_FALSE(c.reading.temperature_c);
  EXPECT_FALSE(c.reading.sm_clock_mhz);
}

TEST(NvidiaSmiCsv, NumbersWithUnitsAndOddFields) {
  EXPECT_EQ(parse_smi_number("75.3 W"), 75.3);
  EXPECT_EQ(parse_smi_number(" 30 % "), 30);
  EXPECT_EQ(parse_smi_number("81234 MiB"), 81234);
  EXPECT_EQ(parse_smi_number("+5"), 5);
  EXPECT_FALSE(parse_smi_number("[N/A]"));
  EXPECT_FALSE(parse_smi_number("N/A"));
  EXPECT_FALSE(parse_smi_number("[Not Supported]"));
  EXPECT_FALSE(parse_smi_number("ERR!"));
  EXPECT_FALSE(parse_smi_number(""));
  EXPECT_FALSE(parse_smi_number("12.5.3"));
  EXPECT_FALSE(parse_smi_number("nan"));
}

TEST(NvidiaSmiCsv, ShortOrGarbageLinesAreSkipped) {
  const SmiGpuTable t =
      parse_smi_gpu_csv("0, H200, GPU-1, 5\nx, y, z, 1, 2, 3, 4, 5, 6, 7\n\xff\xfe\n");
  EXPECT_TRUE(t.rows.empty());
  EXPECT_EQ(t.bad_lines.size(), 3u);
}

TEST(NvidiaSmiCsv, ParsesComputeProcesses) {
  const auto rows = parse_smi_process_csv(
      "GPU-5d2f6a1e-8c3b-4b7e-9f1a-2c4d6e8f0a1b, 4242, /opt/venv/bin/python3, 81000\n"
      "GPU-5d2f6a1e-8c3b-4b7e-9f1a-2c4d6e8f0a1b, 77, [Insufficient Permissions], [N/A]\n"
      "GPU-0b1c, 9, vllm, serve, worker, 12\n"
      "No running processes found\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].gpu_uuid, "GPU-5d2f6a1e-8c3b-4b7e-9f1a-2c4d6e8f0a1b");
  EXPECT_EQ(rows[0].process.pid, 4242);
  EXPECT_EQ(rows[0].process.name, "/opt/venv/bin/python3");
  EXPECT_EQ(rows[0].process.used_memory_mib, 81000);
  EXPECT_EQ(rows[1].process.name, "");
  EXPECT_FALSE(rows[1].process.used_memory_mib);
  EXPECT_EQ(rows[2].process.name, "vllm, serve, worker");
}

TEST(NvidiaSmiCsv, FindsTheCudaVersionInTheBanner) {
  EXPECT_EQ(parse_smi_cuda_version(
                "| NVIDIA-SMI 580.159.03   Driver Version: 580.159.03   CUDA Version: 13.0     |"),
            "13.0");
  EXPECT_FALSE(parse_smi_cuda_version("| NVIDIA-SMI 580.159.03 |"));
}

// A stand-in nvidia-smi: a shell script answering the probe's three invocations.
class FakeNvidiaSmi {
 public:
  explicit FakeNvidiaSmi(const std::string& body) {
    std::ofstream(path()) << "#!/bin/sh\n" << body;
    chmod(path().c_str(), 0755);
  }
  std::string path() const { return (dir_ / "nvidia-smi").string(); }

 private:
  testsupport::TempDir dir_;
};

GpuProbeOptions through(const FakeNvidiaSmi& smi) {
  GpuProbeOptions o;
  o.nvml_library = "libservemeter-test-no-such-nvml.so.1";
  o.nvidia_smi = smi.path();
  return o;
}

constexpr const char* kWorkingSmi = R"(case "$1" in
  --query-gpu=*)
    printf '0, NVIDIA H200, GPU-aaa, 81234, 143771, 97, 612.45, 64, 1980, 580.159.03\n'
    printf '1, NVIDIA H200, GPU-bbb, 3, 143771, 0, [N/A], 31, 345, 580.159.03\n' ;;
  --query-compute-apps=*)
    printf 'GPU-aaa, 4242, python3, 81000\n' ;;
  "")
    printf '| NVIDIA-SMI 580.159.03   Driver Version: 580.159.03   CUDA Version: 13.0 |\n' ;;
  *) exit 2 ;;
esac
)";

TEST(NvidiaSmiProbe, ReadsGpusSamplesAndInventory) {
  FakeNvidiaSmi smi(kWorkingSmi);
  auto probe = make_gpu_probe(through(smi));
  ASSERT_EQ(probe->kind(), "nvidia-smi") << probe->unavailable_reason();
  EXPECT_EQ(probe->unavailable_reason(), "");
  ASSERT_EQ(probe->gpus().size(), 2u);
  EXPECT_EQ(probe->gpus()[1].uuid, "GPU-bbb");

  const GpuSample s = probe->sample();
  EXPECT_EQ(s.error, "");
  EXPECT_GT(s.t_ns, 0);
  ASSERT_EQ(s.gpus.size(), 2u);
  EXPECT_EQ(s.gpus[0].memory_used_mib, 81234);
  EXPECT_EQ(s.gpus[0].utilization_pct, 97);
  EXPECT_FALSE(s.gpus[1].power_w);

  const GpuInventory inv = probe->inventory();
  EXPECT_EQ(inv.probe, "nvidia-smi");
  EXPECT_EQ(inv.driver_version, "580.159.03");
  EXPECT_EQ(inv.cuda_version, "13.0");
  ASSERT_EQ(inv.gpus.size(), 2u);
  ASSERT_EQ(inv.gpus[0].processes.size(), 1u);
  EXPECT_EQ(inv.gpus[0].processes[0].pid, 4242);
  EXPECT_EQ(inv.gpus[0].processes[0].name, "python3");
  EXPECT_TRUE(inv.gpus[1].processes.empty());
  EXPECT_EQ(inv.processes_error, "");
}

TEST(NvidiaSmiProbe, ADriverFailureIsTheReasonForNoTelemetry) {
  FakeNvidiaSmi smi(
      "echo \"NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\"\n"
      "exit 9\n");
  auto probe = make_gpu_probe(through(smi));
  EXPECT_EQ(probe->kind(), "none");
  EXPECT_NE(probe->unavailable_reason().find("exited with status 9"), std::string::npos)
      << probe->unavailable_reason();
  EXPECT_NE(probe->unavailable_reason().find("couldn't communicate with the NVIDIA driver"),
            std::string::npos);
}

TEST(NvidiaSmiProbe, AHungNvidiaSmiIsStoppedAtTheTimeout) {
  FakeNvidiaSmi smi("exec sleep 60\n");
  GpuProbeOptions o = through(smi);
  o.nvidia_smi_timeout = std::chrono::milliseconds(200);
  auto probe = make_gpu_probe(o);
  EXPECT_EQ(probe->kind(), "none");
  EXPECT_NE(probe->unavailable_reason().find("did not finish within 200 ms and was stopped"),
            std::string::npos)
      << probe->unavailable_reason();
}

TEST(ChildProcess, ReportsAProgramThatCannotRun) {
  const CommandResult r =
      run_command({"/nonexistent/servemeter-no-such-program"}, std::chrono::seconds(5));
  EXPECT_FALSE(r.ran);
  EXPECT_NE(r.error.find("No such file or directory"), std::string::npos) << r.error;
}

TEST(ChildProcess, ArgumentsAreNotInterpretedByAShell) {
  const CommandResult r =
      run_command({"echo", "$HOME; rm -rf /tmp/x", "*"}, std::chrono::seconds(5));
  EXPECT_TRUE(r.ran);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "$HOME; rm -rf /tmp/x *\n");
}

TEST(ChildProcess, BoundsTheOutput) {
  const CommandResult r =
      run_command({"head", "-c", "100000", "/dev/zero"}, std::chrono::seconds(5), 1000);
  EXPECT_EQ(r.out.size(), 1000u);
}

}  // namespace
}  // namespace servemeter::telemetry
