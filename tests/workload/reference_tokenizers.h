#pragma once
// The model presets' real tokenizer files and the JavaScript reference, as fetched by
// scripts/fetch-tokenizers.sh. A test that needs them and finds them missing is skipped with
// the reason, except under CI (CI=true), where it fails: CI must run it.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "workload/packaged_tokenizer.h"
#include "workload/reference_paths.h"
#include "workload/tokenizer.h"

namespace servemeter::testsupport {

inline bool running_under_ci() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

// The preset's tokenizer, loaded once per process; nullptr with `missing` set when the file is
// not there.
inline const Tokenizer* preset_tokenizer(const std::string& preset, std::string& missing) {
  static std::map<std::string, Tokenizer> loaded;
  if (const auto it = loaded.find(preset); it != loaded.end()) return &it->second;
  const auto file = packaged_tokenizer(preset);
  if (!file) {
    missing = "no tokenizer file for " + preset + " under " + tokenizer_cache_dir().string() +
              " (run scripts/fetch-tokenizers.sh)";
    return nullptr;
  }
  return &loaded.emplace(preset, Tokenizer::load(*file)).first->second;
}

}  // namespace servemeter::testsupport

#define SKIP_OR_FAIL_UNAVAILABLE(reason)                                   \
  do {                                                                     \
    if (::servemeter::testsupport::running_under_ci())                     \
      FAIL() << "CI must run the tokenizer reference tests: " << (reason); \
    GTEST_SKIP() << (reason);                                              \
  } while (false)

// `name` is a `const Tokenizer&` for `preset`, or the test is skipped (failed under CI).
#define PRESET_TOKENIZER_OR_SKIP(name, preset)                               \
  std::string name##_missing;                                                \
  const ::servemeter::Tokenizer* name##_ptr =                                \
      ::servemeter::testsupport::preset_tokenizer((preset), name##_missing); \
  if (name##_ptr == nullptr) SKIP_OR_FAIL_UNAVAILABLE(name##_missing);       \
  const ::servemeter::Tokenizer& name = *name##_ptr
