#pragma once

namespace servemeter {

// Parses the command line and runs the chosen subcommand; returns the process exit code
// (see exit_codes.h).
int cli_main(int argc, char** argv);

}  // namespace servemeter
