#include "core/error_kind.h"

#include <array>
#include <utility>

namespace servemeter {
namespace {
constexpr std::array<std::pair<ErrorKind, std::string_view>, 12> kNames{{
    {ErrorKind::none, "none"},
    {ErrorKind::connect, "connect"},
    {ErrorKind::timeout, "timeout"},
    {ErrorKind::rate_limited, "rate_limited"},
    {ErrorKind::server_error, "server_error"},
    {ErrorKind::client_error, "client_error"},
    {ErrorKind::http_status, "http_status"},
    {ErrorKind::stream_error, "stream_error"},
    {ErrorKind::truncated, "truncated"},
    {ErrorKind::bad_payload, "bad_payload"},
    {ErrorKind::oversized, "oversized"},
    {ErrorKind::cancelled, "cancelled"},
}};
}  // namespace

std::string_view to_string(ErrorKind kind) noexcept {
  for (const auto& [k, name] : kNames)
    if (k == kind) return name;
  return "unknown";
}

std::optional<ErrorKind> parse_error_kind(std::string_view text) noexcept {
  for (const auto& [k, name] : kNames)
    if (name == text) return k;
  return std::nullopt;
}

ErrorKind error_kind_for_status(int status) noexcept {
  if (status == 429) return ErrorKind::rate_limited;
  if (status >= 500 && status <= 599) return ErrorKind::server_error;
  if (status >= 400 && status <= 499) return ErrorKind::client_error;
  return ErrorKind::http_status;
}

}  // namespace servemeter
