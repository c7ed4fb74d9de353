#pragma once
// `servemeter preflight`: the runbook's pre-flight checklist for the frameworks to benchmark.
#include <string>

namespace CLI {
class App;
}

namespace servemeter {

struct PreflightCommandOptions {
  std::string frameworks = "all";  // "all" or a comma list
  std::string model = "gpt-oss-20b";
  std::string model_path;
  bool strict = false;
  std::string results_dir = "results";
  std::string presets_file;
};

void add_preflight_options(CLI::App& app, PreflightCommandOptions& options);
int preflight_command(const PreflightCommandOptions& options);

}  // namespace servemeter
