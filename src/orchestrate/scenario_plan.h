#pragma once
// Scenario specs → the cells a run measures: each cell's dataset (corpus cut to exact lengths,
// the Korean/English pairs, the prefix-cache set), load, counts and recorded parameters.
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "orchestrate/cell_plan.h"
#include "scenario/scenario_spec.h"
#include "workload/datasets.h"
#include "workload/text_tokenizer.h"

namespace servemeter {

struct PlanInputs {
  std::string model_id;
  int trials = 1;
  std::uint64_t seed = 1;
  bool exact_output = true;
  nlohmann::json slo = nlohmann::json(nullptr);  // {ttft_ms, tpot_ms, e2el_ms} or null
  bool set_context_length = false;               // Ollama: options.num_ctx sized per cell
  const TextTokenizer* tokenizer = nullptr;
  // How the server counts what we send, per system prompt (probed once each, on first use).
  std::function<TokenCalibration(const std::string& system_prompt, const TokenizedCorpus&)>
      calibrate;
};

// Throws DatasetError (a corpus or prompt set that cannot be used, a cell that cannot fit).
std::vector<CellPlan> expand_scenarios(const std::vector<ScenarioSpec>& scenarios,
                                       const PlanInputs& inputs);

}  // namespace servemeter
