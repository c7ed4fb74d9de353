#include "cli/scenarios_command.h"

#include <iostream>

#include "cli/exit_codes.h"
#include "scenario/duration_estimate.h"
#include "scenario/scenario_spec.h"

namespace servemeter {

int scenarios_command(std::ostream& out) {
  const std::vector<std::string> frameworks = {"sglang", "vllm", "ollama"};
  for (const auto& name : builtin_scenario_names()) {
    ScenarioSpec spec;
    try {
      spec = load_scenario_file(builtin_scenario_file(name));
    } catch (const ScenarioError& e) {
      std::cerr << "servemeter: " << e.what() << "\n";
      return exit_code::kUsage;
    }
    long long requests = 0;
    for (const auto& cell : spec.cells) requests += cell.warmup + cell.num_requests;
    out << spec.name << ": " << spec.description << "\n";
    for (const auto& cell : spec.cells) {
      out << "  [" << cell.result_name << "] " << cell.label << "  " << cell.num_requests
          << " requests";
      if (cell.warmup > 0) out << " + " << cell.warmup << " warm-up";
      if (cell.flush_cache) out << ", prefix cache emptied first";
      out << "\n";
    }
    out << "  " << spec.cells.size() << " cells, " << requests << " requests per trial; about";
    for (std::size_t i = 0; i < frameworks.size(); ++i) {
      double seconds = 0;
      for (const auto& cell : spec.cells)
        seconds += estimate_cell_seconds(cell, performance_guess(frameworks[i]));
      out << (i == 0 ? " " : ", ") << format_duration(seconds) << " on " << frameworks[i];
    }
    out << " per trial\n\n";
  }
  out << "Estimates are " << PerformanceGuess{}.basis
      << ". Run them with: servemeter run --framework F --scenario NAME[,NAME…]|all\n";
  return exit_code::kOk;
}

}  // namespace servemeter
