#include "analysis/metric_catalog.h"

#include <cmath>

namespace servemeter {
namespace {

using nlohmann::json;

constexpr std::array<MetricInfo, kMetricCount> kMetrics{{
    {Metric::ttft_avg, "avg_ttft_ms", "TTFT avg", "ms", Better::lower},
    {Metric::ttft_p50, "p50_ttft_ms", "TTFT p50", "ms", Better::lower},
    {Metric::ttft_p95, "p95_ttft_ms", "TTFT p95", "ms", Better::lower},
    {Metric::ttft_p99, "p99_ttft_ms", "TTFT p99", "ms", Better::lower},
    {Metric::ttfc_avg, "avg_ttfc_ms", "time to first content avg", "ms", Better::lower},
    {Metric::tpot_avg, "avg_tpot_ms", "TPOT avg", "ms", Better::lower},
    {Metric::latency_avg, "avg_latency_ms", "latency avg", "ms", Better::lower},
    {Metric::latency_p50, "p50_latency_ms", "latency p50", "ms", Better::lower},
    {Metric::latency_p95, "p95_latency_ms", "latency p95", "ms", Better::lower},
    {Metric::latency_p99, "p99_latency_ms", "latency p99", "ms", Better::lower},
    {Metric::output_throughput, "output_throughput_tok_s", "output throughput", "tok/s",
     Better::higher},
    {Metric::total_throughput, "total_throughput_tok_s", "total throughput (in + out)", "tok/s",
     Better::higher},
    {Metric::request_throughput, "request_throughput", "request throughput", "req/s",
     Better::higher},
    {Metric::output_chars_per_s, "output_chars_per_s", "output characters", "chars/s",
     Better::higher},
    {Metric::success_rate, "success_rate", "success rate", "%", Better::higher},
    // Servers reserve memory up front (vLLM and SGLang a fixed fraction), so less is not better.
    {Metric::gpu_memory_mb, "gpu_memory_mb", "GPU memory peak", "MiB", Better::neither},
    {Metric::gpu_utilization_pct, "gpu_utilization_pct", "GPU utilisation", "%", Better::neither},
    {Metric::mean_input_tokens, "mean_input_tokens", "input tokens per request", "tokens",
     Better::neither},
    {Metric::mean_output_tokens, "mean_output_tokens", "output tokens per request", "tokens",
     Better::neither},
    {Metric::output_chars_per_token, "output_chars_per_token", "output characters per token",
     "chars/token", Better::neither},
}};

std::optional<double> number_at(const json& object, std::string_view key) {
  if (!object.is_object()) return std::nullopt;
  const auto it = object.find(key);
  if (it == object.end() || !it->is_number()) return std::nullopt;
  const double v = it->get<double>();
  return std::isfinite(v) ? std::optional<double>(v) : std::nullopt;
}

// A per-request mean from a total over the successful requests.
std::optional<double> mean_of_total(const json& figures, std::string_view total_key) {
  const auto total = number_at(figures, total_key);
  auto successes = number_at(figures, "successful_requests");
  if (!successes) successes = number_at(figures, "successful_requests_total");
  if (!total || !successes || *successes <= 0) return std::nullopt;
  return *total / *successes;
}

}  // namespace

const MetricInfo& metric_info(Metric metric) {
  return kMetrics[static_cast<std::size_t>(metric)];
}

std::span<const MetricInfo, kMetricCount> all_metrics() {
  return kMetrics;
}

std::optional<double> metric_from_figures(const json& figures, Metric metric) {
  const MetricInfo& info = metric_info(metric);
  switch (metric) {
    case Metric::output_throughput:
      if (auto v = number_at(figures, info.key)) return v;
      return number_at(figures, "total_token_throughput");  // the runbook's name, same meaning
    case Metric::gpu_memory_mb:
    case Metric::gpu_utilization_pct:
      if (auto v = number_at(figures, info.key)) return v;
      if (figures.is_object())
        if (const auto t = figures.find("telemetry"); t != figures.end())
          return number_at(*t, info.key);
      return std::nullopt;
    case Metric::mean_input_tokens:
      return mean_of_total(figures, "total_input_tokens");
    case Metric::mean_output_tokens:
      if (auto v = number_at(figures, info.key)) return v;
      return mean_of_total(figures, "total_output_tokens");
    case Metric::output_chars_per_token: {
      const auto chars = number_at(figures, "total_output_chars");
      const auto tokens = number_at(figures, "total_output_tokens");
      if (!chars || !tokens || *tokens <= 0) return std::nullopt;
      return *chars / *tokens;
    }
    default:
      return number_at(figures, info.key);
  }
}

PerMetric<std::optional<double>> metrics_from_figures(const json& figures) {
  PerMetric<std::optional<double>> out{};
  for (const auto& m : kMetrics)
    out[static_cast<std::size_t>(m.metric)] = metric_from_figures(figures, m.metric);
  return out;
}

}  // namespace servemeter
