#pragma once
// Retry-After (RFC 9110 §10.2.3) of a 429 or 503: how long the server asked us to wait.
#include <cstdint>
#include <optional>
#include <string_view>

namespace servemeter::http {

// Seconds to wait: delay-seconds as sent, or an HTTP-date (IMF-fixdate, RFC 850 or asctime form)
// minus `now_unix_s` (0 when the date has passed). nullopt when `value` is neither.
std::optional<double> parse_retry_after(std::string_view value, std::int64_t now_unix_s);
// The same against the wall clock now.
std::optional<double> parse_retry_after(std::string_view value);

}  // namespace servemeter::http
