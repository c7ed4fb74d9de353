#pragma once
// Records with known timings for aggregation tests.
#include <cstdint>

#include "core/request_record.h"

namespace servemeter::testing {

// A request sent at `send_ms` with TTFT `ttft`, `tokens` output tokens one per 10 ms.
inline RequestRecord timed_request(double send_ms, double ttft, int tokens,
                                   std::int64_t input = 100) {
  RequestRecord r;
  // Monotonic times are never 0 (0 means "did not happen"), so start at 1 s.
  r.send_ns = r.intended_send_ns = static_cast<std::int64_t>((1000 + send_ms) * 1e6);
  r.first_token_ns = r.send_ns + static_cast<std::int64_t>(ttft * 1e6);
  r.first_content_ns = r.first_token_ns;
  for (int i = 0; i < tokens; ++i) r.token_event_ns.push_back(r.first_token_ns + i * 10'000'000);
  r.end_ns = r.token_event_ns.back();
  r.output_tokens = tokens;
  r.output_tokens_source = TokenCountSource::server;
  r.input_tokens = input;
  r.http_status = 200;
  return r;
}

}  // namespace servemeter::testing
