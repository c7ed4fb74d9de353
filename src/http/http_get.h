#pragma once
// Blocking one-shot requests for pre-flight checks and telemetry (health, model listing, server
// info, /metrics): not the measuring client.
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "http/tls_options.h"

namespace servemeter {

struct GetResult {
  long status = 0;                     // 0: no HTTP answer
  std::string body;                    // kept only when asked for
  std::string error;                   // curl's message when there was no answer
  bool untrusted_certificate = false;  // a TLS server whose certificate we do not trust
  bool body_truncated = false;         // the body passed max_body_bytes and was cut there
};

// `on_header` sees each response header line; `keep_body` keeps the body in the result.
GetResult http_get(const std::string& url, const std::string& api_key, const http::TlsOptions& tls,
                   long timeout_ms, bool keep_body,
                   const std::function<void(std::string_view)>& on_header = nullptr);

struct OneShotRequest {
  std::string url;
  std::string api_key;  // empty: no Authorization header
  http::TlsOptions tls;
  long timeout_ms = 5000;
  bool keep_body = true;
  // A body past this many bytes ends the transfer (status kept, body_truncated set); 0: no bound.
  std::size_t max_body_bytes = 0;
  // Non-empty: POST this JSON document (Content-Type: application/json); empty: GET.
  std::string json_body;
  // Streaming answers (Ollama's pull progress): each piece of the body as it arrives, in place of
  // keeping it; returning false ends the transfer (error set, status kept).
  std::function<bool(std::string_view)> on_body_piece;
  // Asked about once a second while the transfer runs; false ends it (the user's interrupt).
  std::function<bool()> keep_going;
  // No byte for this many seconds ends the transfer; 0: none. timeout_ms 0: no overall limit.
  long stall_timeout_s = 0;
};

GetResult http_request(const OneShotRequest& request,
                       const std::function<void(std::string_view)>& on_header = nullptr);

}  // namespace servemeter
