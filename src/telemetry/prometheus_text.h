#pragma once
// A lenient parser of the Prometheus text format (0.0.4) that servers' /metrics speak. Input is
// untrusted: it never throws, skips lines it cannot read (and counts them), and bounds what it
// reads (bytes, line length, number of series).
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace servemeter::telemetry {

struct PrometheusSeries {
  std::string name;  // as written, e.g. "vllm:time_to_first_token_seconds_bucket"
  std::vector<std::pair<std::string, std::string>> labels;  // unescaped values, in line order
  double value = 0;                                         // +Inf, -Inf and NaN as IEEE values
};

struct PrometheusText {
  std::vector<PrometheusSeries> series;
  std::map<std::string, std::string> types;  // from "# TYPE": family → counter, gauge, …
  std::size_t skipped_lines = 0;             // lines that were neither comments nor series
  bool truncated = false;                    // a limit was hit; the rest was not read
};

struct PrometheusLimits {
  std::size_t max_bytes = 16u << 20;
  std::size_t max_line = 64u << 10;  // longer lines are skipped
  std::size_t max_series = 200000;
};

PrometheusText parse_prometheus_text(std::string_view text, const PrometheusLimits& limits = {});

// The TYPE that governs a series: its own name's, or for "<family>_bucket|_sum|_count|_total|
// _created" the family's. "untyped" when no TYPE line names it.
std::string_view prometheus_type(const PrometheusText& text, std::string_view series_name);

}  // namespace servemeter::telemetry
