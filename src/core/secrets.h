#pragma once
// Credentials must never reach a results file: a server may echo the request's Authorization
// header in an error body, a proxy may quote a URL with its password, and messages quote URLs.
#include <span>
#include <string>

namespace servemeter {

inline constexpr std::string_view kRedacted = "<redacted>";

// Replace credentials in `text` with "<redacted>":
//   - every occurrence of each of `secrets` (those of 4 characters or more; shorter ones would
//     blank ordinary words),
//   - the value after `Authorization:` / `"authorization": "…"` (to the end of the line or the
//     closing quote),
//   - the token after `Bearer `,
//   - the value of `api_key=…`, `api-key: …`, `"apikey": "…"` (any case),
//   - the password in `scheme://user:password@host`.
void scrub_secrets(std::string& text, std::span<const std::string> secrets);

}  // namespace servemeter
