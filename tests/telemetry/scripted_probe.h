#pragma once
// A GpuProbe that plays back a script of readings, one step per sample() (the last step repeats),
// and can hold a chosen call until the test releases it, so sampler tests decide exactly which
// samples fall before, inside and after a window without relying on timing.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "telemetry/gpu_probe.h"

namespace servemeter::testing {

class ScriptedProbe final : public telemetry::GpuProbe {
 public:
  using Step = std::vector<telemetry::GpuReading>;

  explicit ScriptedProbe(std::vector<Step> script, int gpus = 2) : script_(std::move(script)) {
    for (int i = 0; i < gpus; ++i)
      ids_.push_back({i, "Test GPU " + std::to_string(i), "GPU-test-" + std::to_string(i)});
  }

  std::string_view kind() const override { return "scripted"; }
  const std::string& unavailable_reason() const override { return reason_; }
  const std::vector<telemetry::GpuIdentity>& gpus() const override { return ids_; }

  telemetry::GpuSample sample() override {
    telemetry::GpuSample s;
    s.t_ns = monotonic_ns();
    std::unique_lock lock(mutex_);
    const int call = calls_++;
    entered_.notify_all();
    if (call == hold_call_)
      released_.wait_for(lock, std::chrono::seconds(60), [&] { return released_flag_; });
    const std::size_t step =
        std::min<std::size_t>(static_cast<std::size_t>(call), script_.size() - 1);
    s.gpus = script_[step];
    if (call < static_cast<int>(fail_calls_.size()) && fail_calls_[call]) {
      s.gpus.clear();
      s.error = "scripted failure";
    }
    return s;
  }

  telemetry::GpuInventory inventory() override { return {}; }

  int calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }
  // The call (0-based) that waits for release().
  void hold_call(int call) {
    std::lock_guard lock(mutex_);
    hold_call_ = call;
  }
  bool wait_entered(int calls) {
    std::unique_lock lock(mutex_);
    return entered_.wait_for(lock, std::chrono::seconds(60), [&] { return calls_ >= calls; });
  }
  void release() {
    std::lock_guard lock(mutex_);
    released_flag_ = true;
    released_.notify_all();
  }
  void fail_call(int call) {
    std::lock_guard lock(mutex_);
    if (fail_calls_.size() <= static_cast<std::size_t>(call)) fail_calls_.resize(call + 1);
    fail_calls_[call] = true;
  }

 private:
  std::vector<Step> script_;
  std::vector<telemetry::GpuIdentity> ids_;
  std::string reason_;
  mutable std::mutex mutex_;
  std::condition_variable entered_, released_;
  int calls_ = 0;
  int hold_call_ = -1;
  bool released_flag_ = false;
  std::vector<bool> fail_calls_;
};

// One GPU's reading; a negative value leaves that field absent.
inline telemetry::GpuReading reading(int index, double memory, double utilization,
                                     double power = -1, double temperature = -1, double clock = -1,
                                     double total = 143771) {
  telemetry::GpuReading r;
  r.index = index;
  auto set = [](std::optional<double>& f, double v) {
    if (v >= 0) f = v;
  };
  set(r.memory_used_mib, memory);
  set(r.memory_total_mib, total);
  set(r.utilization_pct, utilization);
  set(r.power_w, power);
  set(r.temperature_c, temperature);
  set(r.sm_clock_mhz, clock);
  return r;
}

}  // namespace servemeter::testing
