#pragma once
#include <string>

#include "cli/run_options.h"

namespace servemeter {

// `servemeter run`: pre-flight, the cell's trials, result files after every trial, summary lines.
// Returns an exit code from exit_codes.h.
int run_command(const RunOptions& options, const std::string& command_line);

}  // namespace servemeter
