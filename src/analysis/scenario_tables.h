#pragma once
// The runbook's scenario tables beside the per-cell figures: the prefix-cache table (first
// request, first 5 vs the rest, the speed-up, and the control run of unique prompts) and the
// Korean/English tables (tokens, characters per token, the Korean/English ratio over paired
// items, throughput in tokens and characters per second). docs/analysis.md defines each figure.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "analysis/estimate.h"

namespace servemeter {

struct Comparison;

inline constexpr std::uint32_t kPrefixWarmFrom = 5;  // items 0–4 warm the cache; 5… are "warm"

struct PrefixCacheFigures {
  std::size_t framework = 0;
  std::string label, control_label;  // the prefix_cache cell and its control
  // Each per trial, then mean ± sd over trials (TTFT in ms, model time).
  std::optional<Estimate> first_request_ttft;     // item 0
  std::optional<Estimate> first5_ttft;            // mean of items 0–4
  std::optional<Estimate> rest_ttft;              // mean of items 5…
  std::optional<Estimate> speedup;                // first5 / rest
  std::optional<Estimate> control_ttft;           // mean TTFT of the control cell
  std::optional<Estimate> control_over_rest;      // control / rest: what the shared prefix saves
  std::optional<Estimate> cached_token_fraction;  // where the server reported cached tokens
  // TTFT by request index (item), mean over trials; NaN where no successful request.
  std::vector<double> ttft_by_index, control_ttft_by_index;
  std::string note;  // what is missing and why
};

struct LanguageSide {
  std::optional<Estimate> input_tokens;            // per request
  std::optional<Estimate> output_tokens;           // per request
  std::optional<Estimate> input_chars_per_token;   // prompt characters (items' chars) per token
  std::optional<Estimate> output_chars_per_token;  // generated characters per output token
  std::optional<Estimate> output_throughput;       // tok/s
  std::optional<Estimate> output_chars_per_s;      // chars/s
};

struct KoreanFigures {
  std::size_t framework = 0;
  std::string label;  // shared by the korean_ko and korean_en cells: conc=1,out=256
  LanguageSide ko, en;
  // Korean input tokens ÷ English input tokens of the same item (medians over its requests).
  std::vector<std::pair<std::uint32_t, double>> item_ratios;  // by item
  std::optional<double> ratio;                                // geometric mean over items
  std::optional<double> ratio_ci_low, ratio_ci_high;          // 95%, t on the log ratios
  std::string note;
};

std::vector<PrefixCacheFigures> prefix_cache_figures(const Comparison& comparison);
std::vector<KoreanFigures> korean_figures(const Comparison& comparison);

}  // namespace servemeter
