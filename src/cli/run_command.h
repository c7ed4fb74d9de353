#pragma once
#include <string>

#include "cli/run_options.h"

namespace servemeter {

// `servemeter run`: pre-flight, the cells' trials, the raw log as requests finish, the results
// file after every cell, summary lines. Returns an exit code from exit_codes.h.
int run_command(RunOptions& options, const std::string& command_line, const GivenFlags& given);

}  // namespace servemeter
