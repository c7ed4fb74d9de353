#pragma once
#include <string>
#include <vector>

#include "cli/run_options.h"
#include "orchestrate/presets.h"
#include "scenario/scenario_spec.h"

namespace servemeter {

// `servemeter run`: pre-flight, the cells' trials, the raw log as requests finish, the results
// file after every cell, summary lines. Returns an exit code from exit_codes.h.
int run_command(RunOptions& options, const std::string& command_line, const GivenFlags& given);

// The shipped presets (data/frameworks.yaml) with the user's file and `presets_file` (empty:
// none) merged over them. Returns 0, or exit code 6 after printing what is wrong.
int load_cli_presets(const std::string& presets_file, Presets& presets);

// One framework measured: the server at options.base_url (empty: the preset's port on
// 127.0.0.1, or the in-process simulator with options.simulate) is health-checked, the model
// checked, the plan printed, then every cell of `scenarios` is measured into the results files
// (--resume skips the complete ones). `run` and `suite` both measure through this. `options`
// must have passed validate_run_options. Returns an exit code from exit_codes.h.
int run_framework(RunOptions& options, const Presets& presets,
                  const std::vector<ScenarioSpec>& scenarios, const std::string& command_line);

}  // namespace servemeter
