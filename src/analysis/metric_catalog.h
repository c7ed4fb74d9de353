#pragma once
// The figures a comparison shows, each under the results file's own key (the runbook's names),
// with its label, unit and which direction is better. One trial's figures object — a trial of a
// servemeter results entry, or a runbook entry, which is one trial — gives each figure by key.
#include <array>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string_view>

namespace servemeter {

enum class Metric : std::size_t {
  ttft_avg,
  ttft_p50,
  ttft_p95,
  ttft_p99,
  ttfc_avg,
  tpot_avg,
  latency_avg,
  latency_p50,
  latency_p95,
  latency_p99,
  output_throughput,
  total_throughput,
  request_throughput,
  output_chars_per_s,
  success_rate,
  gpu_memory_mb,
  gpu_utilization_pct,
  mean_input_tokens,
  mean_output_tokens,
  output_chars_per_token,
};
inline constexpr std::size_t kMetricCount = 20;

enum class Better { lower, higher, neither };

struct MetricInfo {
  Metric metric;
  std::string_view key;    // the results file's field: avg_ttft_ms, total_token_throughput…
  std::string_view label;  // for people: "TTFT avg"
  std::string_view unit;   // "ms", "tok/s", "%"
  Better better;
};

const MetricInfo& metric_info(Metric metric);
std::span<const MetricInfo, kMetricCount> all_metrics();

template <class T>
using PerMetric = std::array<T, kMetricCount>;

// One figure of one trial from its figures object; nullopt when absent, null or not a number.
// Output throughput falls back to the runbook's total_token_throughput (generated tokens/s); GPU
// figures are read from the object or from its "telemetry"; mean token counts come from the
// totals over the successful requests.
std::optional<double> metric_from_figures(const nlohmann::json& figures, Metric metric);

// Every figure of one trial.
PerMetric<std::optional<double>> metrics_from_figures(const nlohmann::json& figures);

}  // namespace servemeter
