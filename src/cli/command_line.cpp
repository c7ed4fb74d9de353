#include "cli/command_line.h"

#include <string_view>

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
      word = quoted(arg);
    }
    line += (line.empty() ? "" : " ") + word;
  }
  return line;
}

}  // namespace servemeter
