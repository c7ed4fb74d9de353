#include "cli/command_line.h"

namespace servemeter {
namespace {

std::string quoted(std::string_view arg) {
  if (!arg.empty() && arg.find_first_of(" \t\"'$\\") == std::string_view::npos)
    return std::string(arg);
  std::string out = "'";
  for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::string redact_url_password(std::string_view url) {
  std::string out(url);
  for (std::size_t scheme = out.find("://"); scheme != std::string::npos;
       scheme = out.find("://", scheme + 3)) {
    const std::size_t start = scheme + 3;
    const std::size_t end = out.find_first_of("/?# \t", start);
    const std::size_t at = out.rfind('@', end == std::string::npos ? out.size() : end);
    if (at == std::string::npos || at < start) continue;
    const std::size_t colon = out.find(':', start);
    if (colon == std::string::npos || colon > at) continue;
    out.replace(colon + 1, at - colon - 1, "<redacted>");
  }
  return out;
}

std::string redacted_command_line(int argc, const char* const* argv) {
  constexpr std::string_view kFlag = "--api-key";
  std::string line;
  bool redact_next = false;
  for (int i = 0; i < argc; ++i) {
    std::string_view arg = argv[i];
    std::string word;
    if (redact_next) {
      word = "<redacted>";
      redact_next = false;
    } else if (arg == kFlag) {
      word = std::string(arg);
      redact_next = true;
    } else if (arg.substr(0, kFlag.size() + 1) == "--api-key=") {
      word = "--api-key=<redacted>";
    } else {
      word = quoted(redact_url_password(arg));
    }
    line += (line.empty() ? "" : " ") + word;
  }
  return line;
}

}  // namespace servemeter
