#include "cli/main_command.h"

#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>

#include "cli/analyze_command.h"
#include "cli/command_line.h"
#include "cli/exit_codes.h"
#include "cli/preflight_command.h"
#include "cli/run_command.h"
#include "cli/run_options.h"
#include "cli/scenarios_command.h"
#include "cli/suite_command.h"
#include "cli/suite_options.h"
#include "cli/version.h"
#include "sim/sim_options.h"

namespace servemeter {
namespace {

int dispatch(int argc, char** argv) {
  CLI::App app{"servemeter: benchmark LLM serving frameworks on the same workload", "servemeter"};
  app.set_version_flag("--version", std::string(kVersion));
  app.require_subcommand(1);

  RunOptions run_options;
  CLI::App* run = app.add_subcommand("run", "benchmark one server on one workload cell");
  add_run_options(*run, run_options);

  SuiteOptions suite_options;
  CLI::App* suite = app.add_subcommand(
      "suite",
      "benchmark several frameworks one after another: pre-flight, then per framework start its "
      "server, wait for health, run the scenarios, stop it; then analyze");
  add_suite_options(*suite, suite_options);

  CLI::App* scenarios =
      app.add_subcommand("scenarios", "list the built-in scenarios, their cells and durations");

  sim::SimOptions sim_options;
  CLI::App* sim = app.add_subcommand("sim", "serve a simulated vLLM/SGLang/Ollama/llama.cpp API");
  sim::add_sim_options(*sim, sim_options);

  AnalyzeOptions analyze_options;
  CLI::App* analyze =
      app.add_subcommand("analyze", "compare the frameworks' results and write the summary");
  add_analyze_options(*analyze, analyze_options);
  PreflightCommandOptions preflight_options;
  CLI::App* preflight =
      app.add_subcommand("preflight",
                         "check that this machine is ready to benchmark (GPU, disk, "
                         "model, framework commands, ports)");
  add_preflight_options(*preflight, preflight_options);

  if (argc < 2) {  // a bare `servemeter`: show what it can do
    std::cerr << app.help();
    return exit_code::kUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints help, version or the error
    return code == 0 ? exit_code::kOk : exit_code::kUsage;
  }
  if (run->parsed()) {
    GivenFlags given;
    given.trials = run->count("--trials") > 0;
    for (const auto& flag : custom_cell_flags())
      if (run->count(flag) > 0) given.custom_cell.push_back(flag);
    return run_command(run_options, redacted_command_line(argc, argv), given);
  }
  if (suite->parsed()) {
    GivenFlags given;
    given.trials = suite->count("--trials") > 0;
    return suite_command(suite_options, redacted_command_line(argc, argv), given);
  }
  if (scenarios->parsed()) return scenarios_command(std::cout);
  if (analyze->parsed()) return analyze_command(analyze_options);
  if (preflight->parsed()) return preflight_command(preflight_options);
  if (sim->parsed()) {
    const int code = sim::run_sim(sim_options);
    return code == 1 ? exit_code::kSimulatorError : code;
  }
  return exit_code::kUsage;
}

}  // namespace

int cli_main(int argc, char** argv) {
  // A server that closes its end must never kill the tool: writes then fail with EPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  // The last line of defence: every expected failure has its own message and exit code, and the
  // raw log keeps every finished request as it finishes, so nothing measured is lost here.
  try {
    return dispatch(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "servemeter: internal error: " << e.what()
              << ". Every finished request is in the raw log (*_requests.jsonl); please report "
                 "this with the command line\n";
  } catch (...) {
    std::cerr << "servemeter: internal error (unknown exception). Every finished request is in "
                 "the raw log (*_requests.jsonl); please report this with the command line\n";
  }
  return exit_code::kInternalError;
}

}  // namespace servemeter
