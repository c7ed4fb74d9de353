#include "load/trial_loop.h"

#include <stdexcept>

#include "load/dataset_source.h"
#include "load/run_cell.h"

namespace servemeter::load {

TrialsOutcome run_trials(const CellTrials& cell, TrialHooks& hooks, std::uint64_t& first_id) {
  if (cell.dataset == nullptr) throw std::invalid_argument("run_trials: no dataset given");
  TrialsOutcome outcome;
  const std::size_t total = static_cast<std::size_t>(cell.warmup + cell.num_requests);
  for (int trial = 0; trial < cell.trials; ++trial) {
    if (cell.target.stop.level != nullptr && *cell.target.stop.level != 0) {
      outcome.stop_reason = StopReason::interrupted;
      outcome.stop_detail = "interrupted by the user before trial " + std::to_string(trial + 1);
      break;
    }
    DatasetSource source(*cell.dataset, total, trial, cell.shared);
    CellInput input = cell.target;
    input.source = &source;
    input.warmup = cell.warmup;
    input.load = cell.load;
    input.load.seed = cell.load.seed + static_cast<unsigned>(trial);
    input.cell = cell.label;
    input.trial = trial;
    input.first_id = first_id;
    first_id += total;
    hooks.before_trial(trial);
    const auto progress = hooks.progress();
    const CellResult result = run_cell(input, *progress);
    ++outcome.trials_run;
    hooks.after_trial(trial, result);
    if (result.stop_reason != StopReason::none) {
      outcome.stop_reason = result.stop_reason;
      outcome.stop_detail = result.stop_detail;
      break;
    }
  }
  return outcome;
}

}  // namespace servemeter::load
