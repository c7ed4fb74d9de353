#include "cli/run_plan.h"

#include <ostream>

#include "scenario/duration_estimate.h"

namespace servemeter {
namespace {

ScenarioSpec custom_scenario(const RunOptions& o) {
  CellSpec cell;
  cell.result_name = "custom";
  cell.prompts = PromptSource::corpus_en;
  cell.input_tokens = o.input_tokens;
  cell.output_tokens = o.output_tokens;
  if (o.request_rate) {
    cell.request_rate = o.request_rate;
    cell.burstiness = o.burstiness;
    cell.max_concurrency = o.max_concurrency;
  } else {
    cell.concurrency = o.concurrency;
  }
  cell.num_requests = o.num_requests;
  cell.warmup = o.warmup;
  cell.system_prompt = o.system_prompt;
  cell.label = "in=" + std::to_string(o.input_tokens) + ",out=" + std::to_string(o.output_tokens);
  if (o.request_rate) {
    char rate[32];
    std::snprintf(rate, sizeof rate, "%g", *o.request_rate);
    cell.label += ",rate=" + std::string(rate);
  }
  ScenarioSpec spec;
  spec.name = "custom";
  spec.description = "one cell from the command line";
  spec.cells.push_back(cell);
  return spec;
}

}  // namespace

std::vector<ScenarioSpec> selected_scenarios(const RunOptions& o) {
  std::vector<ScenarioSpec> specs;
  if (!o.scenario.empty()) specs = resolve_scenarios(o.scenario);
  for (const auto& file : o.scenario_files) specs.push_back(load_scenario_file(file));
  if (specs.empty()) specs.push_back(custom_scenario(o));
  return specs;
}

PlanTotals print_plan(std::ostream& out, const std::vector<ScenarioSpec>& scenarios,
                      const std::string& framework, int trials, double time_scale) {
  const PerformanceGuess guess = performance_guess(framework);
  double total_s = 0;
  long long requests = 0;
  std::size_t cells = 0;
  for (const ScenarioSpec& scenario : scenarios) cells += scenario.cells.size();
  out << "plan: " << cells << " cell" << (cells == 1 ? "" : "s") << " × " << trials << " trial"
      << (trials == 1 ? "" : "s") << "\n";
  for (const ScenarioSpec& scenario : scenarios) {
    for (const CellSpec& cell : scenario.cells) {
      const double seconds = estimate_cell_seconds(cell, guess) * trials / time_scale;
      total_s += seconds;
      requests += static_cast<long long>(cell.warmup + cell.num_requests) * trials;
      out << "  [" << cell.result_name << "] " << cell.label << "  " << cell.num_requests
          << " requests";
      if (cell.warmup > 0) out << " + " << cell.warmup << " warm-up";
      out << "  ~" << format_duration(seconds) << "\n";
    }
  }
  out << "  total: " << requests << " requests, about " << format_duration(total_s) << " ("
      << guess.basis << (time_scale != 1 ? ", simulator time-scaled" : "") << ")\n";
  out.flush();
  return {cells, requests, total_s};
}

}  // namespace servemeter
