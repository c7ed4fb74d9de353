#pragma once
// Figures that only some scenarios have, from their requests one by one:
//   prefix_cache: the first request's TTFT, the first 5 against the rest, the speed-up, and the
//                 warm TTFT against the control run (no sharing) as a ratio with its interval,
//                 beside the server's own cache counters;
//   korean_*:     per Korean/English pair, tokens, characters, characters per token, the
//                 Korean/English token ratio, tokens/s and characters/s.
#include <nlohmann/json.hpp>

#include "analysis/log_digest.h"

namespace servemeter {

// For a prefix_cache or prefix_cache_control cell: its per-request figures by send order.
nlohmann::json prefix_cache_figures(const CellDigest& cell);
// Shared against control, when the log has both (null otherwise, with the reason).
nlohmann::json prefix_cache_comparison(const FrameworkLog& log);

// For a korean_ko or korean_en cell: per item (pair).
nlohmann::json korean_item_figures(const CellDigest& cell);
// Korean against English per pair and cell label, when the log has both sides.
nlohmann::json korean_comparison(const FrameworkLog& log);

}  // namespace servemeter
