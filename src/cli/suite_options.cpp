#include "cli/suite_options.h"

#include <CLI/CLI.hpp>

namespace servemeter {

void add_suite_options(CLI::App& app, SuiteOptions& o) {
  o.run.scenario = "all";
  add_run_options(app, o.run);
  // The suite names its frameworks, scenario and model positionally, starts its own servers
  // (so no --base-url or --api) and runs scenarios, not the custom cell.
  std::vector<std::string> not_for_suite = {"--framework", "--model",    "--base-url", "--api",
                                            "--scenario",  "--simulate", "--dry-run"};
  for (const auto& flag : custom_cell_flags()) not_for_suite.push_back(flag);
  for (const auto& flag : not_for_suite)
    if (CLI::Option* option = app.get_option_no_throw(flag)) app.remove_option(option);

  app.add_option("frameworks", o.frameworks,
                 "'all' (the presets' all_frameworks: sglang, vllm, ollama, in that order) or a "
                 "comma list, e.g. vllm,llamacpp")
      ->capture_default_str();
  app.add_option(
         "scenario", o.run.scenario,
         "all, or a comma list of single, concurrent, long_context, prefix_cache, korean, or a "
         "scenario file of your own (.yaml)")
      ->capture_default_str();
  app.add_option("model", o.run.model,
                 "a model preset (gpt-oss-20b, llama3.1-8b), a model id, or a model file (.gguf, "
                 "for llamacpp)")
      ->capture_default_str();
  app.add_option("--model-path", o.model_path,
                 "the model file for frameworks that load one (llama.cpp: a .gguf)");
  app.add_flag("--attach", o.attach,
               "the servers are already up on their ports: start and stop nothing");
  app.add_flag("--simulate", o.run.simulate,
               "start each framework's simulator (this binary's `sim`, the preset's sim_profile) "
               "as its server, through the same start/health/stop code; no GPU needed");
  app.add_flag("--dry-run", o.run.dry_run,
               "print every framework's cells, requests and estimated time, and the total; start "
               "nothing");
  app.add_flag("--strict", o.strict,
               "a pre-flight FAIL (or another process on the GPU, or no GPU) stops the suite");
  app.add_flag("!--no-preflight", o.preflight, "skip the pre-flight checks");
}

}  // namespace servemeter
