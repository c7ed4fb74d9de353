#pragma once
#include <optional>
#include <string_view>

namespace servemeter {

// Why a request failed; DESIGN.md's list. `none` means it succeeded. The names (to_string) are
// part of the results format.
enum class ErrorKind {
  none,
  connect,       // could not connect / TLS failed / refused
  timeout,       // per-request or stall timeout
  rate_limited,  // HTTP 429 before the stream
  server_error,  // HTTP 5xx before the stream
  client_error,  // any other HTTP 4xx before the stream
  http_status,   // any other non-2xx status (1xx, 3xx, nonsense codes) before the stream
  stream_error,  // error object inside a 200 stream
  truncated,     // stream ended before the server said it was done
  bad_payload,   // body not parseable as the API's shape (or compressed although not asked)
  oversized,     // a line, event or body over the configured bound (--max-event-bytes)
  cancelled,     // cancelled by the user's interrupt after the grace period
};

std::string_view to_string(ErrorKind kind) noexcept;
std::optional<ErrorKind> parse_error_kind(std::string_view text) noexcept;
// The kind of a request answered with a non-2xx `status`: rate_limited, server_error,
// client_error or http_status.
ErrorKind error_kind_for_status(int status) noexcept;

}  // namespace servemeter
