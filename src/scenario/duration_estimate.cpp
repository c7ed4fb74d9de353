#include "scenario/duration_estimate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace servemeter {

PerformanceGuess performance_guess(const std::string& framework) {
  PerformanceGuess guess;
  if (framework == "ollama") {
    guess.max_parallel = 1;  // OLLAMA_NUM_PARALLEL's default, as the runbook runs it
    guess.itl_ms = 14;
  } else if (framework == "llamacpp") {
    guess.max_parallel = 4;  // the preset's -np 4
    guess.itl_ms = 14;
  }
  return guess;
}

int typical_input_tokens(const CellSpec& cell) {
  if (cell.input_tokens) return *cell.input_tokens;
  switch (cell.prompts) {
    case PromptSource::prefix_shared:
    case PromptSource::prefix_unique:
      return 2180;  // ~2,048-token system prompt + ~128-token question
    case PromptSource::korean_ko:
      return 360;
    case PromptSource::korean_en:
      return 240;
    default:
      return 512;
  }
}

double estimate_cell_seconds(const CellSpec& cell, const PerformanceGuess& g) {
  const int requests = cell.warmup + cell.num_requests;
  const double prefill_ms = g.ttft_base_ms + g.prefill_ms_per_token * typical_input_tokens(cell);
  auto latency_ms = [&](int running) {
    return prefill_ms +
           cell.output_tokens * g.itl_ms * (1.0 + g.itl_growth_per_seq * (running - 1));
  };
  if (cell.request_rate) {
    const int cap = cell.max_concurrency.value_or(g.max_parallel);
    const int running = std::max(1, std::min(cap, g.max_parallel));
    const double service_s = requests * latency_ms(running) / 1000.0 / running;
    const double arrivals_s = std::isinf(*cell.request_rate) ? 0.0 : requests / *cell.request_rate;
    return std::max(service_s, arrivals_s) + latency_ms(running) / 1000.0;
  }
  const int running = std::max(1, std::min(cell.concurrency.value_or(1), g.max_parallel));
  const double rounds = std::ceil(static_cast<double>(requests) / running);
  return rounds * latency_ms(running) / 1000.0;
}

std::string format_duration(double seconds) {
  char text[32];
  if (seconds < 90) {
    std::snprintf(text, sizeof text, "%.0f s", std::ceil(seconds));
  } else if (seconds < 90 * 60) {
    std::snprintf(text, sizeof text, "%.0f min", std::ceil(seconds / 60));
  } else {
    std::snprintf(text, sizeof text, "%.1f h", seconds / 3600);
  }
  return text;
}

}  // namespace servemeter
