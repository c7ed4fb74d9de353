// tokenizer_bench — encode throughput of the C++ tokenizer on the mixed test corpus
// (tests/workload/corpus), for each preset's real tokenizer, beside the JavaScript reference
// timed in the same run on the same texts (node tests/workload/reference_ids.mjs).
//
//   tokenizer_bench [seconds per measurement, default 3]
//
// Both sides encode the corpus once to warm up (JIT, word caches), then encode it repeatedly
// for at least the given CPU time; MB/s counts UTF-8 input bytes per CPU second of the
// encoding process (node's includes its GC and compiler threads), so other processes on a
// busy machine do not count. "cold" is the C++ warm-up pass:
// a fresh word cache. Needs scripts/fetch-tokenizers.sh to have run; without node the
// reference is left out, with the reason.
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/run_process.h"
#include "support/temp_dir.h"
#include "workload/corpus.h"
#include "workload/packaged_tokenizer.h"
#include "workload/reference_paths.h"
#include "workload/tokenizer.h"

namespace {

using namespace servemeter;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// CPU time of this process: on a shared machine, wall time would count other processes' turns.
double cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

struct Throughput {
  double cold_mb_per_s = 0, mb_per_s = 0;
  std::size_t tokens = 0;
};

Throughput time_cpp(const Tokenizer& tokenizer, const std::vector<std::string>& texts,
                    std::size_t bytes, double min_seconds) {
  Throughput result;
  double start = cpu_seconds();
  for (const auto& text : texts) result.tokens += tokenizer.encode(text).size();
  result.cold_mb_per_s = bytes / (cpu_seconds() - start) / 1e6;
  std::size_t rounds = 0, sink = 0;
  start = cpu_seconds();
  double elapsed = 0;
  do {
    for (const auto& text : texts) sink += tokenizer.encode(text).size();
    ++rounds;
    elapsed = cpu_seconds() - start;
  } while (elapsed < min_seconds);
  if (sink != result.tokens * rounds) std::fprintf(stderr, "token counts changed between rounds\n");
  result.mb_per_s = bytes * rounds / elapsed / 1e6;
  return result;
}

// The reference's MB/s, or a negative number with the reason printed.
double time_reference(const std::filesystem::path& tokenizer_json,
                      const std::filesystem::path& texts_json, double min_seconds) {
  const auto node = testsupport::find_node();
  if (node.empty()) {
    std::printf("  reference: skipped (node is not on PATH)\n");
    return -1;
  }
  const auto result = testsupport::run_process(
      {node.string(), SERVEMETER_REFERENCE_SCRIPT, "--engine",
       testsupport::reference_engine().string(), "--tokenizer", tokenizer_json.string(), "--in",
       texts_json.string(), "--bench-seconds", std::to_string(min_seconds)},
      600);
  if (result.exit_code != 0) {
    std::printf("  reference: failed (%s)\n", result.err.c_str());
    return -1;
  }
  return nlohmann::json::parse(result.out).at("mb_per_s").get<double>();
}

}  // namespace

int main(int argc, char** argv) {
  const double min_seconds = argc > 1 ? std::atof(argv[1]) : 3.0;
  const auto texts = testsupport::mixed_corpus(SERVEMETER_CORPUS_DIR);
  std::size_t bytes = 0, characters = 0;
  for (const auto& text : texts) {
    bytes += text.size();
    characters += testsupport::code_points(text);
  }
  testsupport::TempDir dir;
  std::ofstream(dir / "texts.json") << nlohmann::json(texts).dump();
  std::printf("corpus: %zu texts, %zu characters, %zu bytes; %.1f s per measurement\n",
              texts.size(), characters, bytes, min_seconds);

  int status = 0;
  for (const char* preset : {"gpt-oss-20b", "llama3.1-8b"}) {
    const auto file = packaged_tokenizer(preset);
    if (!file) {
      std::printf("%s: no tokenizer file (run scripts/fetch-tokenizers.sh)\n", preset);
      status = 1;
      continue;
    }
    auto start = Clock::now();
    const auto tokenizer = Tokenizer::load(*file);
    const double load_s = seconds_since(start);
    const auto cpp = time_cpp(tokenizer, texts, bytes, min_seconds);
    std::printf("%s: load %.2f s, %zu tokens\n  C++:       %7.2f MB/s (cold cache %.2f MB/s)\n",
                preset, load_s, cpp.tokens, cpp.mb_per_s, cpp.cold_mb_per_s);
    const double reference = time_reference(*file, dir / "texts.json", min_seconds);
    if (reference > 0) {
      std::printf("  reference: %7.2f MB/s (JavaScript, @lenml/tokenizers)\n  ratio:     %7.1fx\n",
                  reference, cpp.mb_per_s / reference);
    }
  }
  return status;
}
