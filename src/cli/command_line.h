#pragma once
#include <string>

namespace servemeter {

// The command line as typed, for the results file, with the value of --api-key replaced by
// "<redacted>" (both `--api-key KEY` and `--api-key=KEY`).
std::string redacted_command_line(int argc, const char* const* argv);

}  // namespace servemeter
