#pragma once
// Everything `servemeter suite` takes from the command line: the positional frameworks,
// scenario and model (as bench/run_all.sh takes them), the suite's own flags, and the flags it
// shares with `servemeter run` (registered by add_run_options, so both parse them alike).
#include <string>

#include "cli/run_options.h"

namespace CLI {
class App;
}

namespace servemeter {

struct SuiteOptions {
  // run.scenario (default "all") and run.model are the positional scenario and model; the rest
  // of `run` is the shared flags. run.framework is set per framework by the suite.
  RunOptions run;
  std::string frameworks = "all";  // "all" (the presets' all_frameworks) or a comma list
  std::string model_path;          // {model_path}: a model file (llama.cpp's .gguf)
  bool attach = false;             // servers already up: start and stop nothing
  bool strict = false;             // a pre-flight FAIL stops the suite
  bool preflight = true;           // --no-preflight: skip it
};

// Registers the positionals and flags on the `suite` subcommand.
void add_suite_options(CLI::App& app, SuiteOptions& options);

}  // namespace servemeter
