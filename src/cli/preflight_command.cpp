#include "cli/preflight_command.h"

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/exit_codes.h"
#include "core/data_dir.h"
#include "orchestrate/preflight.h"
#include "orchestrate/presets.h"

namespace servemeter {

void add_preflight_options(CLI::App& app, PreflightCommandOptions& o) {
  app.add_option("--framework", o.frameworks,
                 "'all' (the presets' all_frameworks: sglang, vllm, ollama) or a comma list")
      ->capture_default_str();
  app.add_option("--model", o.model, "a model preset (gpt-oss-20b, llama3.1-8b) or a model id")
      ->capture_default_str();
  app.add_option("--model-path", o.model_path,
                 "the model file for frameworks that load one (llama.cpp: a .gguf)");
  app.add_flag("--strict", o.strict,
               "other processes on the GPU, or no GPU at all, are failures, not warnings");
  app.add_option("--results-dir", o.results_dir, "where results will go (for the disk check)")
      ->capture_default_str();
  app.add_option("--presets", o.presets_file, "presets merged over data/frameworks.yaml");
}

int preflight_command(const PreflightCommandOptions& o) {
  Presets presets;
  try {
    std::vector<std::filesystem::path> overrides;
    if (const auto user = user_presets_file()) overrides.push_back(*user);
    if (!o.presets_file.empty()) overrides.emplace_back(o.presets_file);
    presets = load_presets(data_dir() / "frameworks.yaml", overrides);
  } catch (const PresetError& e) {
    std::cerr << "servemeter: " << e.what() << "\n";
    return exit_code::kPresetError;
  }
  std::string why;
  const auto frameworks = presets.expand_frameworks(o.frameworks, why);
  if (!frameworks) {
    std::cerr << "servemeter: " << why << "\n";
    return exit_code::kUsage;
  }
  PreflightOptions options;
  options.frameworks = *frameworks;
  options.model = o.model;
  options.model_path = o.model_path;
  options.strict = o.strict;
  options.results_dir = o.results_dir;

  std::string list;
  for (const auto& fw : *frameworks) list += (list.empty() ? "" : ", ") + fw;
  std::cout << "servemeter pre-flight: " << list << "; model " << o.model
            << (o.strict ? "; strict" : "") << std::endl;
  const PreflightReport report = run_preflight(presets, options);
  for (const auto& line : report.lines) std::cout << format_preflight_line(line) << "\n";
  std::cout << "pre-flight: " << report.count(CheckLevel::ok) << " OK, "
            << report.count(CheckLevel::warn) << " WARN, " << report.count(CheckLevel::fail)
            << " FAIL" << std::endl;
  return report.failed() ? exit_code::kPreflightFailed : exit_code::kOk;
}

}  // namespace servemeter
