#pragma once
#include <optional>
#include <string_view>

namespace servemeter {

// Why a request failed; DESIGN.md's list. `none` means it succeeded.
enum class ErrorKind {
  none,
  connect,       // could not connect / TLS failed / refused
  timeout,       // per-request or stall timeout
  rate_limited,  // HTTP 429
  server_error,  // HTTP 5xx
  client_error,  // HTTP 4xx other than 429
  http_status,   // any other non-2xx status before the stream
  stream_error,  // error object inside a 200 stream
  truncated,     // stream ended before the server said it was done
  bad_payload,   // body not parseable as the API's shape
  oversized,     // a line, event or body over the configured bound
  cancelled,     // cut by the user's interrupt after the grace period
};

std::string_view to_string(ErrorKind kind) noexcept;
std::optional<ErrorKind> parse_error_kind(std::string_view text) noexcept;

}  // namespace servemeter
