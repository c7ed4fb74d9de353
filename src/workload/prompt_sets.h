#pragma once
// The fixed prompt sets of the runbook's scenarios (data/corpus/): the Korean/English pairs of
// the `korean` scenario and the shared-prefix set of `prefix_cache`.
#include <filesystem>
#include <string>
#include <vector>

#include "workload/tokenized_corpus.h"  // DatasetError

namespace servemeter {

struct KoreanPair {
  std::string id;    // short_question-1
  std::string type;  // short_question | essay | technical | summarize | translate
  std::string ko, en;
};

struct PrefixCacheSet {
  std::string shared_system_prompt;
  std::vector<std::string> questions;
  std::vector<std::string> control_system_prompts;  // one per request of the control run
};

// Throw DatasetError naming the file and the entry that is wrong.
std::vector<KoreanPair> load_korean_pairs(const std::filesystem::path& file);
PrefixCacheSet load_prefix_cache_set(const std::filesystem::path& file);

}  // namespace servemeter
