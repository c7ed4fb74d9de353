#include "telemetry/gpu_probe.h"

#include <gtest/gtest.h>

#include "telemetry/gpu_json.h"

namespace servemeter::telemetry {
namespace {

GpuProbeOptions nothing_installed() {
  GpuProbeOptions o;
  o.nvml_library = "libservemeter-test-no-such-nvml.so.1";
  o.nvidia_smi = "servemeter-test-no-such-nvidia-smi";
  return o;
}

TEST(GpuProbe, WithoutNvmlOrNvidiaSmiTheProbeIsNoneAndSaysWhy) {
  auto probe = make_gpu_probe(nothing_installed());
  EXPECT_EQ(probe->kind(), "none");
  EXPECT_EQ(probe->unavailable_reason(),
            "no NVIDIA driver: libservemeter-test-no-such-nvml.so.1 not found and "
            "servemeter-test-no-such-nvidia-smi not on PATH");
  EXPECT_TRUE(probe->gpus().empty());
  const GpuSample s = probe->sample();
  EXPECT_TRUE(s.gpus.empty());
  EXPECT_EQ(s.error, probe->unavailable_reason());
}

TEST(GpuProbe, ALibraryThatIsNotNvmlIsNamedInTheReason) {
  GpuProbeOptions o = nothing_installed();
  o.nvml_library = "libm.so.6";  // loads, but has no nvmlInit_v2
  auto probe = make_gpu_probe(o);
  EXPECT_EQ(probe->kind(), "none");
  EXPECT_EQ(probe->unavailable_reason(),
            "no usable NVIDIA driver: libm.so.6 lacks nvmlInit_v2 (driver older than R450?); "
            "servemeter-test-no-such-nvidia-smi not on PATH");
}

TEST(GpuProbe, AForcedChoiceDoesNotFallBack) {
  GpuProbeOptions o = nothing_installed();
  o.choice = GpuProbeChoice::nvml;
  EXPECT_EQ(make_gpu_probe(o)->unavailable_reason(),
            "NVML was asked for but libservemeter-test-no-such-nvml.so.1 not found");
  o.choice = GpuProbeChoice::nvidia_smi;
  EXPECT_EQ(make_gpu_probe(o)->unavailable_reason(),
            "nvidia-smi was asked for but servemeter-test-no-such-nvidia-smi not on PATH");
  o.choice = GpuProbeChoice::none;
  EXPECT_EQ(make_gpu_probe(o)->unavailable_reason(), "GPU telemetry was turned off");
}

TEST(GpuProbe, InventoryWithoutAGpuIsNullsAndTheReason) {
  const GpuInventory inv = gpu_inventory(nothing_installed());
  EXPECT_EQ(inv.probe, "none");
  const nlohmann::json j = gpu_inventory_json(inv);
  EXPECT_EQ(j["probe"], "none");
  EXPECT_TRUE(j["driver_version"].is_null());
  EXPECT_TRUE(j["cuda_version"].is_null());
  EXPECT_TRUE(j["gpus"].empty());
  EXPECT_NE(j["unavailable_reason"].get<std::string>().find("no NVIDIA driver"), std::string::npos);
}

}  // namespace
}  // namespace servemeter::telemetry
