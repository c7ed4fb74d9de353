// The NVML probe against a stand-in libnvidia-ml (fake_nvml.cpp), so the dlopen/dlsym path, the
// struct layouts and the unit conversions are checked without a driver.
#include <gtest/gtest.h>

#include "telemetry/gpu_json.h"
#include "telemetry/gpu_probe.h"

namespace servemeter::telemetry {
namespace {

GpuProbeOptions fake_nvml() {
  GpuProbeOptions o;
  o.nvml_library = SERVEMETER_FAKE_NVML;
  o.nvidia_smi = "servemeter-test-no-such-nvidia-smi";
  return o;
}

TEST(NvmlProbe, IsChosenFirstAndNamesTheGpus) {
  auto probe = make_gpu_probe(fake_nvml());
  ASSERT_EQ(probe->kind(), "nvml") << probe->unavailable_reason();
  EXPECT_EQ(probe->unavailable_reason(), "");
  ASSERT_EQ(probe->gpus().size(), 2u);
  EXPECT_EQ(probe->gpus()[0].name, "NVIDIA H200");
  EXPECT_EQ(probe->gpus()[1].uuid, "GPU-fake-1");
}

TEST(NvmlProbe, SamplesInNvidiaSmiUnits) {
  auto probe = make_gpu_probe(fake_nvml());
  const GpuSample s = probe->sample();
  EXPECT_EQ(s.error, "");
  ASSERT_EQ(s.gpus.size(), 2u);
  const GpuReading& a = s.gpus[0];
  EXPECT_EQ(a.index, 0);
  EXPECT_EQ(a.memory_used_mib, 80500);  // v2: the driver's reservation is not "used"
  EXPECT_EQ(a.memory_total_mib, 143771);
  EXPECT_EQ(a.utilization_pct, 97);
  EXPECT_EQ(a.power_w, 612.45);
  EXPECT_EQ(a.temperature_c, 64);
  EXPECT_EQ(a.sm_clock_mhz, 1980);
  const GpuReading& b = s.gpus[1];
  EXPECT_EQ(b.memory_used_mib, 100);
  EXPECT_FALSE(b.power_w);  // NOT_SUPPORTED: absent, not 0
  EXPECT_EQ(b.sm_clock_mhz, 345);
}

TEST(NvmlProbe, InventoryHasVersionsAndProcesses) {
  const GpuInventory inv = gpu_inventory(fake_nvml());
  EXPECT_EQ(inv.probe, "nvml");
  EXPECT_EQ(inv.driver_version, "580.159.03");
  EXPECT_EQ(inv.cuda_version, "13.0");
  ASSERT_EQ(inv.gpus.size(), 2u);
  ASSERT_EQ(inv.gpus[0].processes.size(), 2u);
  EXPECT_EQ(inv.gpus[0].processes[0].pid, 4242);
  EXPECT_EQ(inv.gpus[0].processes[0].name, "python3");
  EXPECT_EQ(inv.gpus[0].processes[0].used_memory_mib, 80000);
  EXPECT_EQ(inv.gpus[0].processes[1].pid, 77);
  EXPECT_EQ(inv.gpus[0].processes[1].name, "");
  EXPECT_FALSE(inv.gpus[0].processes[1].used_memory_mib);
  EXPECT_TRUE(inv.gpus[1].processes.empty());
  EXPECT_EQ(inv.processes_error, "");
  const nlohmann::json j = gpu_inventory_json(inv);
  EXPECT_EQ(j["gpus"][0]["processes"][1]["used_memory_mib"], nullptr);
  EXPECT_EQ(j["gpus"][1]["memory_used_mib"], 100);
}

}  // namespace
}  // namespace servemeter::telemetry
