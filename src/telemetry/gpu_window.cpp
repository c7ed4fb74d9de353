#include "telemetry/gpu_window.h"

#include <algorithm>

namespace servemeter::telemetry {
namespace {

// Sum (or mean) of one field over a sample's GPUs; empty if any GPU lacks it.
template <typename Field>
std::optional<double> over_gpus(const GpuSample& s, Field field, bool mean) {
  if (s.gpus.empty()) return std::nullopt;
  double sum = 0;
  for (const auto& r : s.gpus) {
    const std::optional<double>& v = r.*field;
    if (!v) return std::nullopt;
    sum += *v;
  }
  return mean ? sum / static_cast<double>(s.gpus.size()) : sum;
}

}  // namespace

void GpuWindowAccumulator::Running::add(double v) {
  max = count == 0 ? v : std::max(max, v);
  sum += v;
  ++count;
}

std::optional<double> GpuWindowAccumulator::Running::mean() const {
  if (count == 0) return std::nullopt;
  return sum / static_cast<double>(count);
}

std::optional<double> GpuWindowAccumulator::Running::peak() const {
  if (count == 0) return std::nullopt;
  return max;
}

GpuWindowAccumulator::GpuWindowAccumulator(std::string probe, const std::vector<GpuIdentity>& gpus)
    : probe_(std::move(probe)) {
  for (const auto& id : gpus) gpus_.push_back(PerGpu{id, 0, {}, {}, {}, {}, {}, {}, {}});
}

GpuWindowAccumulator::PerGpu& GpuWindowAccumulator::slot(int index) {
  for (auto& g : gpus_) {
    if (g.identity.index == index) return g;
  }
  PerGpu g;
  g.identity.index = index;  // a GPU the probe did not list at the start: no name
  gpus_.push_back(std::move(g));
  return gpus_.back();
}

void GpuWindowAccumulator::set_idle(const GpuSample& sample) {
  if (!sample.error.empty()) return;
  for (auto& g : gpus_) g.idle_memory.reset();
  for (const auto& r : sample.gpus) {
    PerGpu& g = slot(r.index);
    g.idle_memory = r.memory_used_mib;
    if (r.memory_total_mib) g.memory_total = r.memory_total_mib;
  }
  idle_memory_sum_ = over_gpus(sample, &GpuReading::memory_used_mib, false);
}

void GpuWindowAccumulator::add(const GpuSample& sample) {
  if (!sample.error.empty()) {
    ++failed_;
    last_error_ = sample.error;
    return;
  }
  ++samples_;
  for (const auto& r : sample.gpus) {
    PerGpu& g = slot(r.index);
    ++g.samples;
    if (r.memory_used_mib) g.memory.add(*r.memory_used_mib);
    if (r.memory_total_mib) g.memory_total = r.memory_total_mib;
    if (r.utilization_pct) {
      g.utilization.add(*r.utilization_pct);
      utilization_any_.add(*r.utilization_pct);
    }
    if (r.power_w) g.power.add(*r.power_w);
    if (r.temperature_c) {
      g.temperature.add(*r.temperature_c);
      temperature_any_.add(*r.temperature_c);
    }
    if (r.sm_clock_mhz) {
      g.sm_clock.add(*r.sm_clock_mhz);
      sm_clock_any_.add(*r.sm_clock_mhz);
    }
  }
  if (auto v = over_gpus(sample, &GpuReading::memory_used_mib, false)) memory_sum_.add(*v);
  if (auto v = over_gpus(sample, &GpuReading::utilization_pct, true)) utilization_mean_.add(*v);
  if (auto v = over_gpus(sample, &GpuReading::power_w, false)) power_sum_.add(*v);
}

GpuWindowSummary GpuWindowAccumulator::summary(std::int64_t begin_ns, std::int64_t end_ns) const {
  GpuWindowSummary s;
  s.probe = probe_;
  s.begin_ns = begin_ns;
  s.end_ns = end_ns;
  s.sample_count = samples_;
  s.failed_samples = failed_;
  s.last_error = last_error_;
  if (samples_ == 0) {
    s.null_reason = "no GPU telemetry: no GPU sample was taken during the window" +
                    (last_error_.empty() ? std::string() : " (" + last_error_ + ")");
  }
  bool all_totals = !gpus_.empty();
  double total = 0;
  for (const auto& g : gpus_) {
    GpuWindowStats st;
    st.index = g.identity.index;
    st.name = g.identity.name;
    st.samples = g.samples;
    st.idle_memory_mib = g.idle_memory;
    st.peak_memory_mib = g.memory.peak();
    st.mean_memory_mib = g.memory.mean();
    st.memory_total_mib = g.memory_total;
    st.mean_utilization_pct = g.utilization.mean();
    st.peak_utilization_pct = g.utilization.peak();
    st.mean_power_w = g.power.mean();
    st.max_temperature_c = g.temperature.peak();
    st.mean_sm_clock_mhz = g.sm_clock.mean();
    s.gpus.push_back(std::move(st));
    if (g.memory_total)
      total += *g.memory_total;
    else
      all_totals = false;
  }
  s.idle_memory_mib = idle_memory_sum_;
  s.peak_memory_mib = memory_sum_.peak();
  s.mean_memory_mib = memory_sum_.mean();
  if (all_totals) s.memory_total_mib = total;
  s.mean_utilization_pct = utilization_mean_.mean();
  s.peak_utilization_pct = utilization_any_.peak();
  s.mean_power_w = power_sum_.mean();
  s.max_temperature_c = temperature_any_.peak();
  s.mean_sm_clock_mhz = sm_clock_any_.mean();
  return s;
}

GpuWindowSummary unmeasured_window(std::string_view probe, std::string_view why) {
  GpuWindowSummary s;
  s.probe = std::string(probe);
  s.null_reason = "no GPU telemetry: " + std::string(why);
  return s;
}

std::string gpu_null_reason(const GpuWindowSummary& summary, std::string_view field) {
  if (!summary.null_reason.empty()) return summary.null_reason;
  const auto has = [&](std::string_view part) {
    return field.find(part) != std::string_view::npos;
  };
  if (field.rfind("idle_", 0) == 0)
    return "no GPU sample before the window began reported memory use";
  if (field == "memory_total_mib") return "the GPU did not report its total memory";
  const char* quantity = has("memory")        ? "memory use"
                         : has("utilization") ? "utilisation"
                         : has("power")       ? "power draw"
                         : has("temperature") ? "temperature"
                         : has("clock")       ? "SM clock"
                                              : "this figure";
  return std::string("the GPU did not report its ") + quantity +
         " during the window (with several GPUs: not all of them in one sample)";
}

}  // namespace servemeter::telemetry
