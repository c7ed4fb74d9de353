#pragma once
// Where the JavaScript reference tokenizer and node are (scripts/fetch-tokenizers.sh).
#include <cstdlib>
#include <filesystem>
#include <string_view>

#include "workload/packaged_tokenizer.h"

namespace servemeter::testsupport {

inline std::filesystem::path reference_engine() {
  return tokenizer_cache_dir() / "lenml-tokenizers-3.7.2" / "package" / "dist" / "main.mjs";
}

// node on PATH, or empty.
inline std::filesystem::path find_node() {
  const char* path = std::getenv("PATH");
  std::string_view rest = path != nullptr ? path : "";
  while (!rest.empty()) {
    const auto colon = rest.find(':');
    const auto dir = rest.substr(0, colon);
    rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
    auto candidate = std::filesystem::path(dir) / "node";
    std::error_code ignored;
    if (!dir.empty() && std::filesystem::is_regular_file(candidate, ignored)) return candidate;
  }
  return {};
}

}  // namespace servemeter::testsupport
