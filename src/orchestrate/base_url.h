#pragma once
#include <optional>
#include <string>

namespace servemeter {

struct ParsedBaseUrl {
  std::string normalized;  // scheme://host[:port], no trailing slash
  std::string scheme, host;
  int port = 0;
};

// Accepts http(s)://host[:port][/]; on a bad URL returns nullopt and sets `why`.
std::optional<ParsedBaseUrl> parse_base_url(const std::string& url, std::string& why);

}  // namespace servemeter
