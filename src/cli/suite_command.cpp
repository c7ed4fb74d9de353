#include "cli/suite_command.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>

#include "cli/analyze_command.h"
#include "cli/exit_codes.h"
#include "cli/interrupts.h"
#include "cli/run_command.h"
#include "cli/run_plan.h"
#include "orchestrate/framework_server.h"
#include "orchestrate/gpu_release.h"
#include "orchestrate/preflight.h"
#include "results/result_paths.h"
#include "scenario/duration_estimate.h"
#include "workload/text_tokenizer.h"
#include "workload/tokenizer.h"

namespace servemeter {
namespace {

int fail(int code, const std::string& message) {
  std::cerr << "servemeter suite: " << message << "\n";
  return code;
}

// This program, for --simulate: its `sim` subcommand plays each framework's server.
std::string own_executable() {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("servemeter") : self.string();
}

// --simulate: the preset's server command becomes the simulator imitating it, so the suite
// starts, health-checks and stops it through the very code that runs a real server.
std::string simulate_presets(Presets& presets, const std::vector<std::string>& frameworks,
                             const RunOptions& run) {
  char scale[32];
  std::snprintf(scale, sizeof scale, "%g", run.sim_time_scale);
  std::map<std::string, std::string> tokenizer_files;  // model id -> tokenizer.json ("": none)
  for (const auto& name : frameworks) {
    FrameworkPreset& preset = presets.frameworks.at(name);
    if (preset.sim_profile.empty())
      return "framework '" + name +
             "' has no sim_profile in the presets, so --simulate cannot imitate it: add "
             "`sim_profile: vllm` (or sglang, ollama, llamacpp) to its entry";
    preset.command = {own_executable(), "sim",     "--profile",    preset.sim_profile,
                      "--port",         "{port}",  "--host",       "127.0.0.1",
                      "--model",        "{model}", "--time-scale", scale};
    // The simulator counts prompt tokens with the tokenizer the run will use, as `run
    // --simulate` does (none found: both use the approximation). Loaded once per model id; a dry
    // run starts nothing, so it loads none.
    const std::string model_id = presets.resolve_model(run.model, name);
    if (!run.dry_run && !tokenizer_files.count(model_id)) {
      try {
        tokenizer_files[model_id] =
            find_text_tokenizer(run.tokenizer, run.model, model_id)->file().string();
      } catch (const TokenizerError& e) {
        return std::string(e.what()) + " (give the model's tokenizer.json with --tokenizer)";
      }
    }
    if (const auto file = tokenizer_files.find(model_id);
        file != tokenizer_files.end() && !file->second.empty()) {
      preset.command.push_back("--tokenizer");
      preset.command.push_back(file->second);
    }
    preset.env.clear();
    preset.venv.clear();
    preset.working_dir.clear();
    preset.host = "127.0.0.1";
    preset.check_command.clear();
    preset.health_timeout_s = std::min(preset.health_timeout_s, 60.0);
    preset.stop_grace_s = std::min(preset.stop_grace_s, 10.0);
  }
  return {};
}

// The command that continues an interrupted suite: the same one, with --resume.
std::string resume_command(const std::string& command_line, bool resumed) {
  return resumed ? command_line : command_line + " --resume";
}

// A model given as a file (a .gguf for llama.cpp): {model_path} is the file, and the model's
// name (results files, llama-server's --alias) is the file's stem.
void split_model_file(SuiteOptions& o) {
  if (!o.model_path.empty()) return;
  std::error_code ec;
  const std::filesystem::path given = o.run.model;
  if (given.extension() == ".gguf" || std::filesystem::is_regular_file(given, ec)) {
    o.model_path = std::filesystem::absolute(given, ec).string();
    o.run.model = given.stem().string();
  }
}

// A scenario given as a file (`my-scenario.yaml`) is a scenario file of your own.
void split_scenario_file(SuiteOptions& o) {
  const std::filesystem::path given = o.run.scenario;
  std::error_code ec;
  if (given.extension() == ".yaml" || given.extension() == ".yml" ||
      std::filesystem::is_regular_file(given, ec)) {
    o.run.scenario_files.insert(o.run.scenario_files.begin(), given.string());
    o.run.scenario.clear();
  }
}

int dry_run(const SuiteOptions& o, const Presets& presets,
            const std::vector<std::string>& frameworks,
            const std::vector<ScenarioSpec>& scenarios) {
  const double time_scale = o.run.simulate ? o.run.sim_time_scale : 1;
  PlanTotals total;
  std::cout << "suite plan (dry run: nothing is started): " << frameworks.size() << " framework"
            << (frameworks.size() == 1 ? "" : "s") << ", model " << o.run.model << "\n";
  for (const auto& fw : frameworks) {
    const FrameworkPreset& preset = *presets.framework(fw);
    const std::string model_id = presets.resolve_model(o.run.model, fw);
    std::cout << "=== " << fw << " (model " << model_id << ") ===\n";
    if (o.attach)
      std::cout << "  attach: the server already up on port " << preset.port << "\n";
    else
      std::cout << "  start: "
                << presets.start_command(preset, LaunchValues{model_id, o.model_path, 0, {}})
                << "\n";
    const PlanTotals t = print_plan(std::cout, scenarios, fw, o.run.trials, time_scale);
    total.cells += t.cells;
    total.requests += t.requests;
    total.seconds += t.seconds;
  }
  std::cout << "suite total: " << total.cells << " cells, " << total.requests << " requests, about "
            << format_duration(total.seconds)
            << " of measuring (server start-up and model loading not included)\n";
  return exit_code::kOk;
}

// Pre-flight for the suite's frameworks. Returns false when the suite must stop (--strict).
bool suite_preflight(const SuiteOptions& o, const Presets& presets,
                     const std::vector<std::string>& frameworks) {
  PreflightOptions options;
  options.frameworks = frameworks;
  options.model = o.run.model;
  options.model_path = o.model_path;
  options.strict = o.strict;
  options.results_dir = o.run.results_dir;
  std::cout << "=== pre-flight ===" << std::endl;
  const PreflightReport report = run_preflight(presets, options);
  int failed = 0;
  for (const auto& line : report.lines) {
    // Attached servers are already up: their port is taken on purpose, and their command need
    // not be installed here.
    const auto ends_with = [&](const std::string& suffix) {
      return line.check.size() > suffix.size() &&
             line.check.compare(line.check.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    if (o.attach && (ends_with(" port") || ends_with(" command"))) continue;
    failed += line.level == CheckLevel::fail ? 1 : 0;
    std::cout << format_preflight_line(line) << "\n";
  }
  std::cout.flush();
  if (failed == 0) return true;
  if (o.strict) {
    std::cerr << "servemeter suite: pre-flight found " << failed
              << " FAIL line(s) (above) and --strict stops here; fix them, or run without "
                 "--strict to go on and let each framework fail on its own\n";
    return false;
  }
  std::cerr << "servemeter suite: pre-flight found " << failed
            << " FAIL line(s) (above); going on (--strict would stop here)\n";
  return true;
}

struct FrameworkOutcome {
  std::string framework;
  int code = 0;         // the run's exit code, or kSuiteFrameworkFailed when it never ran
  std::string problem;  // empty: measured
};

// The server the suite started goes away: SIGTERM to its group, SIGKILL after the grace (at
// once on a second Ctrl-C), then the GPU's memory is waited for.
void take_down(FrameworkServer& up, telemetry::GpuProbe* probe, const GpuMemoryBaseline& baseline) {
  if (!up.process) return;
  const StopReport stopped = up.process->stop();
  std::cout << "stopped the " << up.process->framework() << " server (pid " << up.process->pid()
            << "): " << stopped.describe() << std::endl;
  if (probe == nullptr) return;
  // With no GPU this returns at once, saying why it did not look.
  GpuReleaseOptions options;
  options.stop = interrupt_level();
  options.progress = &std::cerr;
  const GpuReleaseResult released = wait_for_gpu_release(*probe, baseline, options);
  std::cout << released.message << std::endl;
}

FrameworkOutcome run_one_framework(const SuiteOptions& o, const Presets& presets,
                                   const std::string& fw,
                                   const std::vector<ScenarioSpec>& scenarios,
                                   const std::string& command_line, telemetry::GpuProbe* probe) {
  FrameworkOutcome outcome{fw, exit_code::kOk, {}};
  RunOptions run = o.run;
  run.framework = fw;
  run.simulate = false;  // a simulated server is started as a process, like a real one
  if (o.attach) {
    outcome.code = run_framework(run, presets, scenarios, command_line);
    if (outcome.code != exit_code::kOk)
      outcome.problem = "its run ended with exit code " + std::to_string(outcome.code);
    return outcome;
  }
  const FrameworkPreset* preset = presets.framework(fw);
  const std::string model_id = presets.resolve_model(o.run.model, fw);
  const GpuMemoryBaseline baseline =
      probe != nullptr ? gpu_memory_baseline(*probe) : GpuMemoryBaseline{};

  FrameworkServerOptions start;
  start.framework = fw;
  start.preset = preset;
  start.values = LaunchValues{model_id, o.model_path, 0, {}};
  start.log_file = result_paths(o.run.results_dir, fw, o.run.model).server_log;
  start.api_key = o.run.api_key;
  start.interrupt = interrupt_level();
  start.progress = &std::cerr;
  FrameworkServer up = bring_up_server(start);
  if (!up.ready) {
    outcome.code = up.interrupted ? interrupt_exit_code() : exit_code::kSuiteFrameworkFailed;
    outcome.problem = up.failure;
    if (!up.interrupted) fail(outcome.code, up.failure);
    take_down(up, probe, baseline);
    return outcome;
  }
  char ready_after[32];
  std::snprintf(ready_after, sizeof ready_after, "%.1f s", up.seconds_to_ready);
  std::cout << "the " << fw << " server is ready after " << ready_after << " at " << up.base_url
            << std::endl;
  run.base_url = up.base_url;
  outcome.code = run_framework(run, presets, scenarios, command_line);
  if (outcome.code != exit_code::kOk && outcome.code != interrupt_exit_code()) {
    // A server that died mid-run says how, with its log's tail.
    const std::string ended = describe_ended_server(*up.process);
    outcome.problem = "its run ended with exit code " + std::to_string(outcome.code) +
                      (ended.empty() ? std::string() : ": " + ended);
    if (!ended.empty()) fail(outcome.code, ended);
  }
  take_down(up, probe, baseline);
  return outcome;
}

}  // namespace

int suite_command(SuiteOptions& o, const std::string& command_line, const GivenFlags& given) {
  if (const std::string problem = validate_run_options(o.run, given); !problem.empty())
    return fail(exit_code::kUsage, problem);
  if (o.attach && o.run.simulate)
    return fail(exit_code::kUsage,
                "--attach uses servers that are already up, --simulate starts simulated ones: "
                "choose one");
  split_model_file(o);
  split_scenario_file(o);
  std::vector<ScenarioSpec> scenarios;
  try {
    scenarios = selected_scenarios(o.run);
  } catch (const ScenarioError& e) {
    return fail(exit_code::kUsage, e.what());
  }
  Presets presets;
  if (const int code = load_cli_presets(o.run.presets_file, presets); code != exit_code::kOk)
    return code;
  std::string why;
  const auto frameworks = presets.expand_frameworks(o.frameworks, why);
  if (!frameworks) return fail(exit_code::kUsage, why);
  if (o.run.simulate)
    if (const std::string problem = simulate_presets(presets, *frameworks, o.run); !problem.empty())
      return fail(exit_code::kUsage, problem);
  for (const auto& fw : *frameworks)
    if (!o.attach && presets.framework(fw)->port == 0)
      return fail(exit_code::kUsage, "framework '" + fw +
                                         "' has no port in the presets, so the suite cannot "
                                         "start or reach its server: give it `port:`");

  if (o.run.dry_run) return dry_run(o, presets, *frameworks, scenarios);

  install_interrupt_handlers();
  if (o.run.simulate)
    std::cout << "pre-flight: skipped (--simulate: simulated servers need no GPU, model or "
                 "framework install)\n";
  else if (!o.preflight)
    std::cout << "pre-flight: skipped (--no-preflight)\n";
  else if (!suite_preflight(o, presets, *frameworks))
    return exit_code::kPreflightFailed;

  // One probe for the whole suite: the memory each server leaves behind is waited for.
  std::unique_ptr<telemetry::GpuProbe> probe;
  if (!o.attach) {
    probe = o.run.simulate ? telemetry::make_no_gpu_probe("simulated servers hold no GPU memory")
                           : telemetry::make_gpu_probe();
  }

  std::vector<FrameworkOutcome> outcomes;
  for (const auto& fw : *frameworks) {
    if (interrupted()) break;
    std::cout << "=== " << fw << ": scenario " << o.run.scenario << ", model " << o.run.model
              << ", " << o.run.trials << " trial" << (o.run.trials == 1 ? "" : "s")
              << (o.attach         ? " (attached)"
                  : o.run.simulate ? " (simulated)"
                                   : "")
              << " ===" << std::endl;
    outcomes.push_back(run_one_framework(o, presets, fw, scenarios, command_line, probe.get()));
  }

  if (interrupted()) {
    std::cerr << "servemeter suite: interrupted; every finished cell is kept in "
              << o.run.results_dir << "/<framework>/. To continue where it stopped:\n  "
              << resume_command(command_line, o.run.resume) << "\n";
    return interrupt_exit_code() != 0 ? interrupt_exit_code() : exit_code::kInterrupted;
  }

  std::cout << "=== summary ===" << std::endl;
  AnalyzeOptions analyze;
  analyze.results_dir = o.run.results_dir;
  analyze.slo = o.run.slo;
  analyze.model = o.run.model;
  const int analyzed = analyze_command(analyze);

  int failed = 0;
  for (const auto& outcome : outcomes) {
    std::cout << "  " << outcome.framework << ": "
              << (outcome.problem.empty()
                      ? std::string("measured")
                      : "FAILED — " + outcome.problem.substr(0, outcome.problem.find('\n')))
              << "\n";
    failed += outcome.problem.empty() ? 0 : 1;
  }
  std::cout << "results: " << o.run.results_dir << "/<framework>/; summary: "
            << (std::filesystem::path(o.run.results_dir) / "summary").string() << "/" << std::endl;
  if (failed > 0)
    return fail(exit_code::kSuiteFrameworkFailed,
                std::to_string(failed) + " of " + std::to_string(outcomes.size()) +
                    " frameworks were not measured completely (named above, with the reason and "
                    "their server.log); fix them and run the same command with --resume to "
                    "measure only what is missing");
  return analyzed;
}

}  // namespace servemeter
