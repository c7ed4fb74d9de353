#pragma once
// A cell's trials, one after another: each trial's requests from the dataset (distinct prompts
// per trial, the arrival seed shifted per trial), run by run_cell, with hooks around each trial
// for what the layers above do there (empty a cache, sample telemetry, write the trial's end).
#include <cstdint>
#include <string>

#include "load/load_spec.h"
#include "load/progress.h"
#include "workload/dataset.h"

namespace servemeter::load {

struct CellTrials {
  const Dataset* dataset = nullptr;
  GenerationRequest shared;  // every request's settings but the prompt
  int warmup = 0;
  int num_requests = 0;  // measured, per trial
  int trials = 1;
  LoadSpec load;
  std::string label;
  // Where requests go and how (base_url, adapter, client, sink, stop); its requests, source,
  // warmup, load, cell, trial and first_id are set per trial.
  CellInput target;
};

class TrialHooks {
 public:
  virtual ~TrialHooks() = default;
  virtual void before_trial(int /*trial*/) {}
  virtual void after_trial(int /*trial*/, const CellResult& /*result*/) {}
  // A progress display per trial; the default shows none.
  virtual std::unique_ptr<ProgressSink> progress() { return std::make_unique<NullProgress>(); }
};

struct TrialsOutcome {
  int trials_run = 0;
  StopReason stop_reason = StopReason::none;  // why it ended before the last trial
  std::string stop_detail;
};

// Runs the trials until all are done, an interrupt (cell.target.stop) arrives, or a trial stops
// early (server gone…). Request ids start at `first_id` and go up by one per request.
TrialsOutcome run_trials(const CellTrials& cell, TrialHooks& hooks, std::uint64_t& first_id);

}  // namespace servemeter::load
