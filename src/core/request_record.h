#pragma once
// The per-request record: the contract between measuring and analysing. Raw times only; every
// derived figure (TTFT, ITL, TPOT…) is computed from these by functions in metrics.h.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error_kind.h"

namespace servemeter {

// Where output_tokens came from. Chunk counting is a fallback that must be flagged.
enum class TokenCountSource { none, server, chunk_count };

// Per-request timing the server reports about itself (llama.cpp `timings`, Ollama durations,
// SGLang `e2e_latency`). Kept beside the client's figures as server-side truth.
struct ServerTiming {
  std::optional<double> prompt_ms;     // prefill (llama.cpp prompt_ms, Ollama prompt_eval_duration)
  std::optional<double> predicted_ms;  // decode (llama.cpp predicted_ms, Ollama eval_duration)
  std::optional<double> total_ms;      // server e2e (Ollama total_duration, SGLang e2e_latency)
  std::optional<double> load_ms;       // Ollama load_duration
  std::optional<std::int64_t> cache_n;  // llama.cpp timings.cache_n
};

// RequestRecord::flags: facts about a request that did not fail it, one bit each. Their names are
// part of the raw log format (requests.jsonl "flags"); never reuse a retired bit.
enum RecordFlag : std::uint32_t {
  // An event held bytes that are not UTF-8; they were replaced by U+FFFD and the event was read
  // (and counted) anyway. The text is not what the model produced.
  kFlagInvalidUtf8 = 1u << 0,
};

struct RequestRecord {
  std::uint64_t id = 0;
  int trial = 0;
  std::string cell;  // scenario cell label, e.g. "in=512,out=256,conc=8"
  bool warmup = false;
  std::uint32_t item = 0;  // the dataset item its prompt came from

  // All times: CLOCK_MONOTONIC nanoseconds; 0 = did not happen.
  std::int64_t intended_send_ns = 0;  // open loop: from the arrival process; closed loop: = send_ns
  std::int64_t send_ns = 0;           // just before the request was handed to the socket
  std::int64_t first_token_ns =
      0;  // first event carrying any generated text (reasoning or content)
  std::int64_t first_content_ns = 0;         // first event carrying answer content
  std::int64_t end_ns = 0;                   // end of stream (or failure)
  std::vector<std::int64_t> token_event_ns;  // arrival of every token-bearing event, in order

  // Token counts; -1 = unknown.
  std::int64_t input_tokens = -1;
  std::int64_t output_tokens = -1;
  std::int64_t cached_tokens = -1;
  std::int64_t reasoning_tokens = -1;
  TokenCountSource output_tokens_source = TokenCountSource::none;
  std::int64_t requested_input_tokens = -1;  // what the workload aimed for
  std::int64_t requested_output_tokens = -1;

  // Characters (Unicode code points) of generated text, answer and reasoning; -1 = not counted.
  std::int64_t output_chars = -1;

  int http_status = 0;
  // Retry-After of a non-2xx answer, in seconds from when it arrived (an HTTP date is converted;
  // a date in the past is 0). Absent when the server did not send one.
  std::optional<double> retry_after_s;
  ErrorKind error = ErrorKind::none;
  std::string error_message;  // valid UTF-8, bounded, credentials scrubbed
  std::int64_t bytes_received = 0;
  // Requests sent again because the reused keep-alive connection turned out to be closed. Only
  // what really happened: a connection seen closed before reuse is replaced silently.
  int retries = 0;
  std::uint32_t flags = 0;    // kFlag* bits
  std::string finish_reason;  // as the server said it; valid UTF-8, at most 64 bytes
  ServerTiming server_timing;

  bool ok() const noexcept { return error == ErrorKind::none; }
};

}  // namespace servemeter
