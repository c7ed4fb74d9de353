#pragma once
// How long a cell will take, before it runs: a rough model of a server (prefill per token, a
// decode step that slows as the batch grows, a cap on parallel requests), so a plan can say
// "about 12 minutes" and a user can decide. Measured durations of an earlier run replace it.
#include <string>

#include "scenario/scenario_spec.h"

namespace servemeter {

struct PerformanceGuess {
  double ttft_base_ms = 30;
  double prefill_ms_per_token = 0.06;
  double itl_ms = 12;                 // one decode step with one sequence running
  double itl_growth_per_seq = 0.015;  // each further running sequence slows the step this much
  int max_parallel = 256;             // requests the server runs at once (Ollama: 1)
  std::string basis = "a rough guess for a 20B model on one A100-class GPU";
};

// The guess for a framework (vllm, sglang, ollama, llamacpp; others get the vLLM-like default).
PerformanceGuess performance_guess(const std::string& framework);

// Prompt tokens a fixed-text source costs, roughly (the corpus sources give input_tokens).
int typical_input_tokens(const CellSpec& cell);

// Seconds one trial of `cell` takes (warm-up included).
double estimate_cell_seconds(const CellSpec& cell, const PerformanceGuess& guess);

// "45 s", "12 min", "2.5 h".
std::string format_duration(double seconds);

}  // namespace servemeter
