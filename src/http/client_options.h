#pragma once
// How the HTTP client talks to the server under test. Chosen once per run.
#include <chrono>
#include <cstddef>
#include <string>

#include "http/tls_options.h"
#include "protocol/api_adapter.h"

namespace servemeter::http {

struct ClientOptions {
  // TCP (+TLS) connect; running out of it is ErrorKind::connect ("could not connect").
  std::chrono::milliseconds connect_timeout{10'000};
  // Whole request, headers to last byte. DESIGN.md: 300 s per request by default.
  std::chrono::milliseconds request_timeout{300'000};
  // No byte at all for this long → timeout. Long prefill is silence (no SSE heartbeats), so this
  // must exceed the worst TTFT; 0 disables it. Checked every 50 ms on http://; over https:// it
  // is CURLOPT_LOW_SPEED_*, whose speed is averaged over ~5 s, so a stall is reported between N
  // and about N + 5 s of silence.
  std::chrono::seconds stall_timeout{120};
  // Sent as `Authorization: Bearer …` through curl's bearer auth; never logged or copied into
  // records.
  std::string api_key;
  TlsOptions tls;
  // The longest stream line or event (SSE event with its data lines joined, NDJSON line) a
  // request may buffer; a longer one fails it as `oversized` and the client stops reading it
  // (--max-event-bytes). Error bodies are kept to 64 KiB and response heads to 1 MiB
  // (kMaxHeaderBytes) whatever this says.
  std::size_t max_event_bytes = kDefaultMaxEventBytes;
  // Retry once, on a fresh connection, a request that died on a reused keep-alive connection
  // before any byte of answer arrived (uvicorn closes idle connections after ~5 s). A kept
  // connection is checked before reuse, so this happens only when the server closes it just
  // as the request goes out.
  bool retry_stale_connection = true;
  // http:// requests go over servemeter's own HTTP/1.1 code (a fraction of curl's CPU per
  // request and per read) unless this says curl; https:// always uses curl. The own code
  // connects directly: http_proxy and friends would put a proxy inside the measurement.
  enum class Transport { automatic, curl };
  Transport transport = Transport::automatic;
};

}  // namespace servemeter::http
