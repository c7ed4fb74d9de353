#pragma once
// Reads a results folder as `servemeter run` and the runbook leave it: results/<framework>/ with
// each framework's `*_requests.jsonl` (the raw log, the source of truth: digested and put
// through results_document(), as `run` does) and `*_results.json` (read only where its raw log
// is missing: a runbook file, or servemeter's without its log). The summary folder is not an
// input. A file that cannot be read is named with the reason and left out; the rest still
// counts.
#include <filesystem>
#include <string>
#include <vector>

#include "analysis/framework_results.h"
#include "analysis/log_digest.h"

namespace servemeter {

// A file, or a part of one (a line, a results entry), left out of the analysis.
struct SkippedInput {
  std::string file;  // relative to the results folder
  std::string reason;
};

struct FolderOptions {
  DigestOptions digest;
  // Rewrite each framework's results file from its raw log (atomically) where it differs, so
  // `run` and `analyze` never disagree. A file that is not servemeter's is never overwritten.
  bool rewrite_results_files = true;
};

struct FolderReading {
  std::vector<FrameworkResults> frameworks;  // in framework_order()
  std::vector<SkippedInput> skipped;
  // What happened to the results files (rewritten, kept): for the terminal, not for the
  // summary, whose bytes must not depend on whether an earlier analyze already rewrote them.
  std::vector<std::string> messages;
};

// Throws ReadError when `folder` is not a readable directory.
FolderReading read_results_folder(const std::filesystem::path& folder,
                                  const FolderOptions& options = {});

// The order frameworks are shown in: sglang, vllm, ollama, llamacpp, then others by name; ties by
// model preset.
bool framework_order(const FrameworkResults& a, const FrameworkResults& b);
int framework_rank(const std::string& framework);

}  // namespace servemeter
