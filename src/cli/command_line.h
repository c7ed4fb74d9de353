#pragma once
#include <string>
#include <string_view>

namespace servemeter {

// The command line as typed, for the results file: the value of --api-key replaced by
// "<redacted>" (both `--api-key KEY` and `--api-key=KEY`), and the password of any URL
// (scheme://user:password@host) too.
std::string redacted_command_line(int argc, const char* const* argv);

// `url` with its password (scheme://user:password@…) replaced by "<redacted>".
std::string redact_url_password(std::string_view url);

}  // namespace servemeter
