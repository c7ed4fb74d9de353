#include "results/cell_summary.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "core/clock.h"
#include "core/metrics.h"

namespace servemeter {
namespace {

template <typename Metric>
std::optional<Distribution> distribution_of(std::span<const RequestRecord> records, Metric metric,
                                            double scale) {
  std::vector<double> values;
  values.reserve(records.size());
  for (const auto& r : records)
    if (!r.warmup && r.ok())
      if (const std::optional<double> v = metric(r)) values.push_back(*v * scale);
  return summarize(std::move(values));
}

}  // namespace

CellSummary summarize_cell(std::span<const RequestRecord> records, bool open_loop,
                           double time_scale) {
  CellSummary s;
  std::int64_t first_send = std::numeric_limits<std::int64_t>::max();
  std::int64_t last_end = 0;
  std::int64_t cached = 0, input_with_cache_report = 0;
  std::vector<double> itl;
  for (const auto& r : records) {
    if (r.warmup) continue;
    ++s.measured;
    s.retries += r.retries;
    if (r.send_ns != 0) first_send = std::min(first_send, r.send_ns);
    last_end = std::max(last_end, r.end_ns);
    if (!r.ok()) {
      ++s.errors_by_kind[std::string(to_string(r.error))];
      continue;
    }
    ++s.succeeded;
    if (r.output_tokens > 0) s.output_tokens += r.output_tokens;
    if (r.output_tokens_source == TokenCountSource::chunk_count) s.output_tokens_from_chunks = true;
    if (r.input_tokens >= 0)
      s.input_tokens += r.input_tokens;
    else
      s.input_tokens_unknown = true;
    if (r.cached_tokens >= 0 && r.input_tokens > 0) {
      cached += r.cached_tokens;
      input_with_cache_report += r.input_tokens;
    }
    for (const double gap : itl_ms(r)) itl.push_back(gap * time_scale);
  }

  s.ttft_ms = distribution_of(records, ttft_ms, time_scale);
  s.ttfc_ms = distribution_of(records, ttfc_ms, time_scale);
  s.tpot_ms = distribution_of(records, tpot_ms, time_scale);
  s.e2el_ms = distribution_of(records, e2el_ms, time_scale);
  s.itl_ms = summarize(std::move(itl));
  if (open_loop) {
    std::int64_t last_send = 0;
    std::size_t sends = 0;
    for (const auto& r : records)
      if (!r.warmup && r.send_ns != 0) {
        ++sends;
        last_send = std::max(last_send, r.send_ns);
      }
    if (sends >= 2 && last_send > first_send)
      s.achieved_request_rate = static_cast<double>(sends - 1) /
                                (static_cast<double>(last_send - first_send) / 1e9 * time_scale);
    s.send_lag_ms = distribution_of(records, send_lag_ms, time_scale);
    s.e2el_from_intended_ms = distribution_of(records, e2el_from_intended_ms, time_scale);
    s.ttft_from_intended_ms = distribution_of(records, ttft_from_intended_ms, time_scale);
  }

  if (s.measured > 0) s.success_rate = 100.0 * static_cast<double>(s.succeeded) / s.measured;
  if (last_end > first_send) {
    s.duration_s = static_cast<double>(last_end - first_send) / 1e9 * time_scale;
    if (s.succeeded > 0) {
      s.request_throughput = static_cast<double>(s.succeeded) / s.duration_s;
      s.output_throughput_tok_s = static_cast<double>(s.output_tokens) / s.duration_s;
      if (!s.input_tokens_unknown)
        s.total_throughput_tok_s =
            static_cast<double>(s.input_tokens + s.output_tokens) / s.duration_s;
    }
  }
  if (input_with_cache_report > 0)
    s.cached_token_fraction =
        static_cast<double>(cached) / static_cast<double>(input_with_cache_report);
  return s;
}

}  // namespace servemeter
