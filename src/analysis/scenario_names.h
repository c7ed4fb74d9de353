#pragma once
// The runbook's scenario names as they appear in results, and the order reports show them in.
#include <string_view>

namespace servemeter::scenario_name {

inline constexpr std::string_view kSingleRequest = "single_request";
inline constexpr std::string_view kConcurrentLoad = "concurrent_load";
inline constexpr std::string_view kLongContext = "long_context";
inline constexpr std::string_view kPrefixCache = "prefix_cache";
inline constexpr std::string_view kPrefixCacheControl = "prefix_cache_control";
inline constexpr std::string_view kKoreanKo = "korean_ko";
inline constexpr std::string_view kKoreanEn = "korean_en";

// Position in reports: the runbook's order, then any other scenario (custom…) by name.
int rank(std::string_view scenario);
inline constexpr int kKnownScenarios = 7;
std::string_view known(int rank);

// Natural order of cell labels: numbers compare by value ("in=128" before "in=1024").
bool label_less(std::string_view a, std::string_view b);

}  // namespace servemeter::scenario_name
