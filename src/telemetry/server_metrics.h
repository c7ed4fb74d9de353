#pragma once
// Server-side counters from /metrics, before and after a cell. Each framework names them its own
// way (names from the wire transcripts in shared/fixtures/wire); a snapshot keeps every series
// summed by name plus the few that matter under common names, and diff() turns two snapshots
// into what happened during the cell.
#include <cstddef>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "telemetry/telemetry_http.h"

namespace servemeter::telemetry {

// The well-known figures, in common units. Counters are cumulative since the server started.
struct WellKnownMetrics {
  std::optional<double> running_requests;      // gauge
  std::optional<double> waiting_requests;      // gauge
  std::optional<double> kv_cache_usage;        // gauge, 0–1 (mean over engines)
  std::optional<double> cache_hit_rate;        // gauge, SGLang's recent-window hit rate, 0–1
  std::optional<double> prefix_cache_hits;     // counter, prompt tokens served from the cache
  std::optional<double> prefix_cache_queries;  // counter, prompt tokens looked up in the cache
  std::optional<double> preemptions;           // counter (SGLang: retractions)
  std::optional<double> prompt_tokens;         // counter, cached ones included
  std::optional<double> generation_tokens;     // counter
};

struct ServerMetricsSnapshot {
  std::string framework;   // vllm | sglang | llamacpp | anything (raw values only)
  std::string source_url;  // empty when built from text
  std::int64_t t_ns = 0;   // CLOCK_MONOTONIC when the answer arrived
  std::string error;       // non-empty: nothing was read; says why and what to do
  // Every series summed over its label sets, by name; `_bucket` series are left out (summing
  // across bucket bounds means nothing). A NaN series is left out of its sum.
  std::map<std::string, double> values;
  std::map<std::string, std::string> types;  // series name → counter | gauge | histogram | …
  std::size_t skipped_lines = 0;
  bool truncated = false;
  WellKnownMetrics known;
  // Why a well-known figure is empty, by its field name ("preemptions" → "…").
  std::map<std::string, std::string> missing;
};

// From a /metrics body (tests, and scrape_server_metrics below).
ServerMetricsSnapshot snapshot_from_text(std::string_view framework, std::string_view text,
                                         std::int64_t t_ns);

// GET <base_url>/metrics. Never throws: a failure is a snapshot with `error` set.
ServerMetricsSnapshot scrape_server_metrics(std::string_view framework, const std::string& base_url,
                                            const TelemetryHttpOptions& options = {});

struct ServerMetricsDelta {
  std::string framework;
  double seconds = 0;       // between the two snapshots
  std::string null_reason;  // non-empty: a snapshot failed; every figure is null
  // Counters: after − before. Gauges: the after value.
  WellKnownMetrics during;
  // Δhits / Δqueries over the window; empty when no prompt token was looked up.
  std::optional<double> prefix_cache_hit_rate;
  // Every counter-like series (counters, histogram/summary _sum and _count) in both snapshots.
  std::map<std::string, double> counter_deltas;
  // Counters that went down (the server restarted): left out of the deltas above.
  std::vector<std::string> counters_reset;
  std::map<std::string, std::string> missing;  // why a figure is empty
};

ServerMetricsDelta diff(const ServerMetricsSnapshot& before, const ServerMetricsSnapshot& after);

// {framework, seconds, the well-known figures (null with null_reasons), prefix_cache_hit_rate,
// counter_deltas, counters_reset}.
nlohmann::json server_metrics_delta_json(const ServerMetricsDelta& delta);

}  // namespace servemeter::telemetry
