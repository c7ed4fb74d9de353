#pragma once
// Aggregates of one run of one scenario cell (one trial), computed from its raw records.
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>

#include "core/request_record.h"
#include "core/statistics.h"

namespace servemeter {

struct CellSummary {
  std::size_t measured = 0;  // records with warmup == false
  std::size_t succeeded = 0;
  std::map<std::string, std::size_t> errors_by_kind;
  int retries = 0;
  double duration_s = 0;  // first measured send → last measured end
  std::int64_t output_tokens = 0, input_tokens = 0;
  bool output_tokens_from_chunks = false;  // some output counts fell back to chunk counting
  bool input_tokens_unknown = false;       // some successful request had no server input count

  std::optional<Distribution> ttft_ms, ttfc_ms, tpot_ms, itl_ms, e2el_ms;
  std::optional<Distribution> send_lag_ms, e2el_from_intended_ms, ttft_from_intended_ms;

  std::optional<double> output_throughput_tok_s;  // Σ output tokens / duration
  std::optional<double> total_throughput_tok_s;   // Σ (input + output) / duration
  std::optional<double> request_throughput;       // successes / duration
  std::optional<double> success_rate;             // successes / measured, in %
  std::optional<double> cached_token_fraction;    // Σ cached / Σ input, where servers reported it
  // Open loop: measured sends per second, (sends − 1) / (last send − first send).
  std::optional<double> achieved_request_rate;
};

// `open_loop`: also summarise send lag and latency from the intended send time.
// `time_scale`: a simulator run X times faster than real time; every duration is reported in
// model time (measured × X) and every rate per model-time second (measured ÷ X).
CellSummary summarize_cell(std::span<const RequestRecord> records, bool open_loop,
                           double time_scale = 1.0);

}  // namespace servemeter
