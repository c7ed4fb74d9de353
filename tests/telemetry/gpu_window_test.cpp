#include "telemetry/gpu_window.h"

#include <gtest/gtest.h>

#include "telemetry/gpu_json.h"
#include "telemetry/scripted_probe.h"

namespace servemeter::telemetry {
namespace {

using servemeter::testing::reading;

GpuSample at(std::int64_t t, std::vector<GpuReading> gpus) {
  GpuSample s;
  s.t_ns = t;
  s.gpus = std::move(gpus);
  return s;
}

std::vector<GpuIdentity> two_gpus() {
  return {{0, "A", "GPU-a"}, {1, "B", "GPU-b"}};
}

TEST(GpuWindow, AFieldOneGpuLacksIsLeftOutOfTheSumButKeptForTheOther) {
  GpuWindowAccumulator acc("nvidia-smi", two_gpus());
  acc.set_idle(at(1, {reading(0, 10, 0, 50), reading(1, 20, 0)}));
  acc.add(at(2, {reading(0, 100, 40, 300), reading(1, 200, 60)}));  // GPU 1: power [N/A]
  acc.add(at(3, {reading(0, 300, 80, 500), reading(1, 100, 20)}));
  const GpuWindowSummary s = acc.summary(2, 3);
  EXPECT_EQ(s.sample_count, 2u);
  EXPECT_EQ(s.idle_memory_mib, 30);
  EXPECT_EQ(s.peak_memory_mib, 400);
  EXPECT_EQ(s.mean_memory_mib, 350);
  EXPECT_EQ(s.mean_utilization_pct, 50);
  EXPECT_FALSE(s.mean_power_w);
  EXPECT_EQ(s.gpus[0].mean_power_w, 400);
  EXPECT_FALSE(s.gpus[1].mean_power_w);
  EXPECT_FALSE(s.max_temperature_c);

  const nlohmann::json j = gpu_window_json(s);
  EXPECT_TRUE(j["mean_power_w"].is_null());
  EXPECT_EQ(j["null_reasons"]["mean_power_w"],
            "the GPU did not report its power draw during the window (with several GPUs: not all "
            "of them in one sample)");
  EXPECT_EQ(j["gpus"][0]["mean_power_w"], 400);
  EXPECT_EQ(j["gpus"][1]["null_reasons"]["max_temperature_c"],
            "the GPU did not report its temperature during the window (with several GPUs: not "
            "all of them in one sample)");
  EXPECT_FALSE(j["null_reasons"].contains("peak_memory_mib"));
}

TEST(GpuWindow, NoSampleInTheWindowMakesEveryFigureNullNotZero) {
  GpuWindowAccumulator acc("nvml", two_gpus());
  GpuSample failed;
  failed.t_ns = 5;
  failed.error = "NVML read nothing: GPU is lost";
  acc.add(failed);
  const GpuWindowSummary s = acc.summary(4, 6);
  EXPECT_EQ(s.sample_count, 0u);
  EXPECT_EQ(s.failed_samples, 1u);
  EXPECT_EQ(s.null_reason,
            "no GPU telemetry: no GPU sample was taken during the window (NVML read nothing: GPU "
            "is lost)");
  EXPECT_FALSE(s.peak_memory_mib);
  EXPECT_FALSE(s.gpus[0].mean_utilization_pct);
  nlohmann::json figures = nlohmann::json::object();
  put_runbook_gpu_fields(figures, s);
  EXPECT_TRUE(figures["gpu_memory_mb"].is_null());
  EXPECT_EQ(figures["null_reasons"]["gpu_utilization_pct"], s.null_reason);
}

TEST(GpuWindow, RunbookFieldsArePeakMemoryAndMeanUtilisation) {
  GpuWindowAccumulator acc("nvml", {{0, "H200", "GPU-x"}});
  acc.set_idle(at(1, {reading(0, 5, 0)}));
  acc.add(at(2, {reading(0, 80000, 100)}));
  acc.add(at(3, {reading(0, 60000, 50)}));
  const GpuWindowSummary s = acc.summary(2, 3);
  nlohmann::json figures = nlohmann::json::object();
  put_runbook_gpu_fields(figures, s);
  EXPECT_EQ(figures["gpu_memory_mb"], 80000);
  EXPECT_EQ(figures["gpu_utilization_pct"], 75);
  EXPECT_FALSE(figures.contains("null_reasons"));
  const nlohmann::json info = gpu_info_json(s);
  EXPECT_EQ(info["memory_used_mb"], 80000);
  EXPECT_EQ(info["memory_total_mb"], 143771);
  EXPECT_EQ(info["gpu_utilization_pct"], 75);
}

TEST(GpuWindow, PutValueOrNullKeepsOtherReasons) {
  nlohmann::json o = {{"null_reasons", {{"ttft", "no token"}}}};
  put_value_or_null(o, "gpu_memory_mb", std::nullopt, "no GPU telemetry: x");
  put_value_or_null(o, "gpu_utilization_pct", 12.5, "unused");
  EXPECT_TRUE(o["gpu_memory_mb"].is_null());
  EXPECT_EQ(o["gpu_utilization_pct"], 12.5);
  EXPECT_EQ(o["null_reasons"]["ttft"], "no token");
  EXPECT_EQ(o["null_reasons"]["gpu_memory_mb"], "no GPU telemetry: x");
  EXPECT_FALSE(o["null_reasons"].contains("gpu_utilization_pct"));
}

}  // namespace
}  // namespace servemeter::telemetry
