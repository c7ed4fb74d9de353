#include "orchestrate/gpu_release.h"

#include <gtest/gtest.h>

#include <sstream>

#include "telemetry/scripted_probe.h"

namespace servemeter {
namespace {

using testing::reading;
using testing::ScriptedProbe;

GpuReleaseOptions fast() {
  GpuReleaseOptions options;
  options.poll_interval_s = 0;
  options.timeout_s = 60;
  return options;
}

TEST(GpuRelease, WaitsUntilMemoryIsBackNearTheBaseline) {
  // Before the server: 500 MiB. After it stopped: still held twice, then released.
  ScriptedProbe probe(
      {{reading(0, 500, 0)}, {reading(0, 70000, 0)}, {reading(0, 65000, 0)}, {reading(0, 1300, 0)}},
      1);
  const GpuMemoryBaseline baseline = gpu_memory_baseline(probe);
  ASSERT_TRUE(baseline.unavailable.empty());
  const GpuReleaseResult result = wait_for_gpu_release(probe, baseline, fast());
  EXPECT_TRUE(result.checked);
  EXPECT_TRUE(result.released);
  EXPECT_EQ(probe.calls(), 4);  // the baseline and three looks
  EXPECT_NE(result.message.find("GPU 0: 1300 MiB in use (before the server: 500 MiB)"),
            std::string::npos)
      << result.message;
}

TEST(GpuRelease, EveryGpuMustBeReleased) {
  ScriptedProbe probe({{reading(0, 500, 0), reading(1, 500, 0)},
                       {reading(0, 500, 0), reading(1, 80000, 0)},
                       {reading(0, 500, 0), reading(1, 600, 0)}});
  const GpuMemoryBaseline baseline = gpu_memory_baseline(probe);
  const GpuReleaseResult result = wait_for_gpu_release(probe, baseline, fast());
  EXPECT_TRUE(result.released);
  EXPECT_EQ(probe.calls(), 3);
}

TEST(GpuRelease, MemoryStillHeldAtTheTimeoutIsReportedWithFigures) {
  ScriptedProbe probe({{reading(0, 500, 0)}, {reading(0, 70000, 0)}}, 1);
  const GpuMemoryBaseline baseline = gpu_memory_baseline(probe);
  GpuReleaseOptions options = fast();
  options.timeout_s = 0.2;
  std::ostringstream progress;
  options.progress = &progress;
  // A progress line from the first look on: a loaded machine may take the whole 0.2 s between
  // two looks, and the test is about the message, not the progress cadence.
  options.progress_every_s = 0;
  const GpuReleaseResult result = wait_for_gpu_release(probe, baseline, options);
  EXPECT_TRUE(result.checked);
  EXPECT_FALSE(result.released);
  EXPECT_NE(result.message.find("GPU memory not released within 0.2 s after the server stopped"),
            std::string::npos)
      << result.message;
  EXPECT_NE(result.message.find("70000 MiB in use (before the server: 500 MiB)"), std::string::npos)
      << result.message;
  EXPECT_NE(result.message.find("nvidia-smi"), std::string::npos) << result.message;
  EXPECT_NE(progress.str().find("waiting for the GPU memory to be released"), std::string::npos);
}

TEST(GpuRelease, WithoutAGpuTheWaitIsSkippedWithTheReason) {
  const auto probe = telemetry::make_no_gpu_probe("no NVIDIA driver: libnvidia-ml.so.1 not found");
  const GpuMemoryBaseline baseline = gpu_memory_baseline(*probe);
  const GpuReleaseResult result = wait_for_gpu_release(*probe, baseline);
  EXPECT_FALSE(result.checked);
  EXPECT_FALSE(result.released);
  EXPECT_EQ(result.message,
            "GPU memory release not checked: no NVIDIA driver: libnvidia-ml.so.1 not found");
}

TEST(GpuRelease, AnInterruptEndsTheWait) {
  ScriptedProbe probe({{reading(0, 500, 0)}, {reading(0, 70000, 0)}}, 1);
  const GpuMemoryBaseline baseline = gpu_memory_baseline(probe);
  volatile std::sig_atomic_t level = 1;
  GpuReleaseOptions options = fast();
  options.stop = &level;
  const GpuReleaseResult result = wait_for_gpu_release(probe, baseline, options);
  EXPECT_FALSE(result.released);
  EXPECT_NE(result.message.find("interrupted"), std::string::npos) << result.message;
}

}  // namespace
}  // namespace servemeter
