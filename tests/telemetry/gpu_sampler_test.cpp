#include "telemetry/gpu_sampler.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/temp_dir.h"
#include "telemetry/gpu_json.h"
#include "telemetry/scripted_probe.h"

namespace servemeter::telemetry {
namespace {

using nlohmann::json;
using servemeter::testing::reading;
using servemeter::testing::ScriptedProbe;

// Samples only when asked: with an hour between ticks, every sample in these tests is one the
// test (or start/begin/end) asked for, so counts are exact.
GpuSamplerOptions manual() {
  GpuSamplerOptions o;
  o.interval = std::chrono::hours(1);
  return o;
}

// Two GPUs: idle, then memory rising to a peak and falling, utilisation changing.
std::vector<ScriptedProbe::Step> cell_script() {
  return {
      {reading(0, 1000, 0, 70, 30, 345), reading(1, 500, 0, 60, 28, 345)},         // #0 start
      {reading(0, 1100, 0, 70, 31, 345), reading(1, 600, 0, 60, 29, 345)},         // #1 idle
      {reading(0, 2000, 50, 100, 40, 1980), reading(1, 1000, 10, 50, 35, 1500)},   // #2
      {reading(0, 5000, 90, 300, 60, 1980), reading(1, 3000, 30, 100, 45, 1700)},  // #3 peak
      {reading(0, 3000, 70, 200, 55, 1980), reading(1, 2000, 20, 80, 50, 1600)},   // #4
      {reading(0, 1500, 10, 120, 50, 1200), reading(1, 700, 0, 60, 48, 1000)},     // #5 closing
  };
}

std::vector<json> read_lines(const std::filesystem::path& path) {
  std::vector<json> lines;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) lines.push_back(json::parse(line));
  return lines;
}

TEST(GpuSampler, SummarisesAWindowExactly) {
  ScriptedProbe probe(cell_script());
  GpuSampler sampler(probe, manual());
  sampler.start();
  ASSERT_EQ(probe.calls(), 1);        // start waits for the first sample
  ASSERT_TRUE(sampler.sample_now());  // #1: the idle baseline
  EXPECT_EQ(sampler.begin_window({"cell-a", {}}), "");
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(sampler.sample_now());  // #2..#4
  const GpuWindowSummary s = sampler.end_window();                // #5 closes it
  EXPECT_EQ(probe.calls(), 6);

  EXPECT_EQ(s.probe, "scripted");
  EXPECT_EQ(s.null_reason, "");
  EXPECT_EQ(s.sample_count, 4u);
  EXPECT_LT(s.begin_ns, s.end_ns);
  // Summed over the GPUs: per-sample sums 3000, 8000, 5000, 2200.
  EXPECT_EQ(s.idle_memory_mib, 1700);
  EXPECT_EQ(s.peak_memory_mib, 8000);
  EXPECT_EQ(s.mean_memory_mib, 4550);
  EXPECT_EQ(s.memory_total_mib, 2 * 143771);
  // Mean over GPUs per sample: 30, 60, 45, 5; the peak is the busiest GPU's.
  EXPECT_EQ(s.mean_utilization_pct, 35);
  EXPECT_EQ(s.peak_utilization_pct, 90);
  EXPECT_EQ(s.mean_power_w, (150 + 400 + 280 + 180) / 4.0);
  EXPECT_EQ(s.max_temperature_c, 60);
  ASSERT_EQ(s.gpus.size(), 2u);
  EXPECT_EQ(s.gpus[0].name, "Test GPU 0");
  EXPECT_EQ(s.gpus[0].samples, 4u);
  EXPECT_EQ(s.gpus[0].idle_memory_mib, 1100);
  EXPECT_EQ(s.gpus[0].peak_memory_mib, 5000);
  EXPECT_EQ(s.gpus[0].mean_memory_mib, 2875);
  EXPECT_EQ(s.gpus[0].mean_utilization_pct, 55);
  EXPECT_EQ(s.gpus[0].mean_sm_clock_mhz, (1980 * 3 + 1200) / 4.0);
  EXPECT_EQ(s.gpus[1].idle_memory_mib, 600);
  EXPECT_EQ(s.gpus[1].peak_memory_mib, 3000);
  EXPECT_EQ(s.gpus[1].mean_memory_mib, 1675);
  EXPECT_EQ(s.gpus[1].peak_utilization_pct, 30);
  EXPECT_EQ(s.gpus[1].max_temperature_c, 50);
}

TEST(GpuSampler, AWindowShorterThanTheIntervalStillGetsItsClosingSample) {
  ScriptedProbe probe(cell_script());
  GpuSampler sampler(probe, manual());
  sampler.start();  // #0
  sampler.begin_window();
  const GpuWindowSummary s = sampler.end_window();  // #1
  EXPECT_EQ(s.sample_count, 1u);
  EXPECT_EQ(s.idle_memory_mib, 1500);  // #0
  EXPECT_EQ(s.peak_memory_mib, 1700);  // #1
}

TEST(GpuSampler, ASampleStartedBeforeTheWindowIsItsBaselineNotPartOfIt) {
  ScriptedProbe probe(cell_script());
  GpuSampler sampler(probe, manual());
  sampler.start();  // #0
  probe.hold_call(1);
  std::thread asker([&] { sampler.sample_now(); });
  ASSERT_TRUE(probe.wait_entered(2));  // #1 has its time stamp and is held
  sampler.begin_window();              // the last finished sample (#0) is fresh enough
  probe.release();
  asker.join();
  const GpuWindowSummary s = sampler.end_window();  // #2
  EXPECT_EQ(s.idle_memory_mib, 1700);               // #1, which began before the window
  EXPECT_EQ(s.sample_count, 1u);
  EXPECT_EQ(s.peak_memory_mib, 3000);  // #2 only
}

TEST(GpuSampler, AStaleBaselineIsRefreshedAtBegin) {
  ScriptedProbe probe(cell_script());
  GpuSamplerOptions o = manual();
  o.max_idle_age = std::chrono::milliseconds(1);
  GpuSampler sampler(probe, o);
  sampler.start();  // #0
  // Make #0 older than max_idle_age without asserting on time: wait until the clock has moved.
  const std::int64_t t0 = monotonic_ns();
  while (monotonic_ns() - t0 < 5'000'000) std::this_thread::yield();
  sampler.begin_window();  // takes #1 first
  EXPECT_EQ(probe.calls(), 2);
  const GpuWindowSummary s = sampler.end_window();  // #2
  EXPECT_EQ(s.idle_memory_mib, 1700);
  EXPECT_EQ(s.sample_count, 1u);
}

TEST(GpuSampler, FailedLooksAreCountedNotAveraged) {
  ScriptedProbe probe(cell_script());
  probe.fail_call(2);
  GpuSampler sampler(probe, manual());
  sampler.start();
  sampler.begin_window();
  sampler.sample_now();                             // #1
  sampler.sample_now();                             // #2 fails
  const GpuWindowSummary s = sampler.end_window();  // #3
  EXPECT_EQ(s.sample_count, 2u);
  EXPECT_EQ(s.failed_samples, 1u);
  EXPECT_EQ(s.last_error, "scripted failure");
  EXPECT_EQ(s.peak_memory_mib, 8000);
}

TEST(GpuSampler, WritesTheWindowAsJsonLinesAndAppendsTheNext) {
  testsupport::TempDir dir;
  const auto path = dir / "vllm_llama_gpu.jsonl";
  ScriptedProbe probe(cell_script());
  GpuSampler sampler(probe, manual());
  sampler.start();       // #0
  sampler.sample_now();  // #1
  ASSERT_EQ(sampler.begin_window({"single/in=128", path}), "");
  sampler.sample_now();                                 // #2
  const GpuWindowSummary first = sampler.end_window();  // #3
  ASSERT_EQ(sampler.begin_window({"single/in=512", path}), "");
  const GpuWindowSummary second = sampler.end_window();  // #4

  const auto lines = read_lines(path);
  ASSERT_EQ(lines.size(), 1u + 4u + 3u);
  EXPECT_EQ(lines[0]["type"], "header");
  EXPECT_EQ(lines[0]["schema"], "servemeter.gpu_timeseries/1");
  EXPECT_EQ(lines[0]["clock"], "CLOCK_MONOTONIC");
  EXPECT_EQ(lines[0]["probe"], "scripted");
  EXPECT_EQ(lines[0]["gpus"][1]["name"], "Test GPU 1");
  EXPECT_EQ(lines[1]["type"], "window_begin");
  EXPECT_EQ(lines[1]["label"], "single/in=128");
  EXPECT_EQ(lines[1]["idle"]["gpus"][0]["memory_used_mib"], 1100);
  EXPECT_EQ(lines[2]["type"], "sample");
  EXPECT_EQ(lines[2]["gpus"][0]["memory_used_mib"], 2000);
  EXPECT_EQ(lines[2]["gpus"][1]["utilization_pct"], 10);
  EXPECT_GE(lines[2]["t_ns"].get<std::int64_t>(), lines[1]["begin_ns"].get<std::int64_t>());
  EXPECT_EQ(lines[3]["gpus"][0]["memory_used_mib"], 5000);
  EXPECT_EQ(lines[4]["type"], "window_end");
  EXPECT_EQ(lines[4]["summary"]["sample_count"], 2);
  EXPECT_EQ(lines[4]["summary"]["peak_memory_mib"], first.peak_memory_mib.value());
  EXPECT_EQ(lines[5]["type"], "window_begin");  // no second header
  EXPECT_EQ(lines[5]["label"], "single/in=512");
  EXPECT_EQ(lines[7]["summary"]["sample_count"], second.sample_count);
}

TEST(GpuSampler, ATimeSeriesThatCannotBeOpenedIsReportedAndTheWindowStillCounts) {
  ScriptedProbe probe(cell_script());
  GpuSampler sampler(probe, manual());
  sampler.start();
  const std::string error = sampler.begin_window({"x", "/nonexistent-dir/servemeter/gpu.jsonl"});
  EXPECT_NE(error.find("/nonexistent-dir/servemeter/gpu.jsonl"), std::string::npos) << error;
  EXPECT_EQ(sampler.end_window().sample_count, 1u);
}

TEST(GpuSampler, WithoutAGpuEveryFigureIsNullWithTheReason) {
  auto probe =
      make_no_gpu_probe("no NVIDIA driver: libnvidia-ml.so.1 not found and nvidia-smi not on PATH");
  GpuSampler sampler(*probe, manual());
  sampler.start();
  EXPECT_FALSE(sampler.running());
  sampler.begin_window();
  const GpuWindowSummary s = sampler.end_window();
  EXPECT_EQ(s.probe, "none");
  EXPECT_EQ(s.null_reason,
            "no GPU telemetry: no NVIDIA driver: libnvidia-ml.so.1 not found and nvidia-smi not "
            "on PATH");
  EXPECT_FALSE(s.peak_memory_mib);
  EXPECT_FALSE(s.mean_utilization_pct);

  json figures = json::object();
  put_runbook_gpu_fields(figures, s);
  EXPECT_TRUE(figures["gpu_memory_mb"].is_null());
  EXPECT_TRUE(figures["gpu_utilization_pct"].is_null());
  EXPECT_EQ(figures["null_reasons"]["gpu_memory_mb"], s.null_reason);
  const json info = gpu_info_json(s);
  EXPECT_TRUE(info["memory_used_mb"].is_null());
  EXPECT_TRUE(info["memory_total_mb"].is_null());
  EXPECT_EQ(info["null_reasons"]["gpu_utilization_pct"], s.null_reason);
  const json window = gpu_window_json(s);
  EXPECT_TRUE(window["idle_memory_mib"].is_null());
  EXPECT_EQ(window["null_reasons"]["max_temperature_c"], s.null_reason);
}

TEST(GpuSampler, StopsPromptlyJoinsAndSamplesNoMore) {
  ScriptedProbe probe(cell_script());
  GpuSampler sampler(probe, manual());
  sampler.start();
  ASSERT_TRUE(sampler.running());
  sampler.begin_window();
  // The thread is asleep for an hour; stop must wake it rather than wait. The bound below is
  // far beyond any scheduling delay: it only catches a stop that waits out the interval.
  auto stopped = std::async(std::launch::async, [&] { sampler.stop(); });
  ASSERT_EQ(stopped.wait_for(std::chrono::seconds(60)), std::future_status::ready);
  EXPECT_FALSE(sampler.running());
  const int calls = probe.calls();
  EXPECT_FALSE(sampler.sample_now());
  EXPECT_EQ(sampler.end_window().null_reason, "no GPU telemetry: the GPU sampler was not running");
  EXPECT_EQ(probe.calls(), calls);
  sampler.stop();  // idempotent
}

TEST(GpuSampler, ADestroyedSamplerJoinsItsThread) {
  ScriptedProbe probe(cell_script());
  {
    GpuSampler sampler(probe, manual());
    sampler.start();
    sampler.begin_window();
  }  // an unjoined std::thread would terminate the test here
  EXPECT_GE(probe.calls(), 1);
}

TEST(GpuSampler, SamplesOnItsOwnAtTheInterval) {
  ScriptedProbe probe(cell_script());
  GpuSamplerOptions o;
  o.interval = std::chrono::milliseconds(1);
  GpuSampler sampler(probe, o);
  sampler.start();
  // No request from here on: only the sampler's own timer can make these calls.
  ASSERT_TRUE(probe.wait_entered(4));
  sampler.stop();
  EXPECT_GE(sampler.samples_taken(), 3u);
}

}  // namespace
}  // namespace servemeter::telemetry
