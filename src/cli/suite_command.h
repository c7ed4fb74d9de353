#pragma once
// `servemeter suite [frameworks] [scenario] [model]`: the runbook's whole benchmark in one
// command. Pre-flight, then for each framework in turn: start its server from the preset's
// command (or --simulate: this binary's simulator; or --attach: use the one already up), wait
// for health, pull the model (Ollama), run the scenarios through the same code as `servemeter
// run`, stop the server and wait for the GPU's memory; then `servemeter analyze`. It only
// composes those pieces.
#include <string>

#include "cli/run_options.h"
#include "cli/suite_options.h"

namespace servemeter {

// Returns an exit code from exit_codes.h: 0; 13 when a framework could not be started or its
// run failed (the others ran, each failure is named); 12 for a pre-flight FAIL with --strict;
// 130/143 when interrupted (the resume command is printed); else analyze's code.
int suite_command(SuiteOptions& options, const std::string& command_line, const GivenFlags& given);

}  // namespace servemeter
