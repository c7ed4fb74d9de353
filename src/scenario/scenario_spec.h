#pragma once
// A benchmark scenario as data: named cells, each a workload (where prompts come from, how long
// they are), a load (closed loop at a concurrency, or open loop at a request rate), and counts.
// The five scenarios of the runbook ship as such files (data/scenarios/*.yaml); users write
// their own (docs/scenarios.md describes the format).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace servemeter {

// A scenario file that cannot be used: the message names the file, the cell, the key and the
// value, and what to do.
class ScenarioError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Where a cell's prompts come from (workload/datasets.h).
enum class PromptSource {
  corpus_en,      // natural English text cut to input_tokens, distinct per request
  corpus_ko,      // the same in Korean
  korean_ko,      // the Korean side of the Korean/English pairs
  korean_en,      // their English side
  prefix_shared,  // one shared ~2,048-token system prompt + different questions
  prefix_unique,  // the control: a distinct system prompt of that length per request
};
std::string_view to_string(PromptSource source) noexcept;
std::optional<PromptSource> parse_prompt_source(std::string_view name) noexcept;
// Sources whose prompts are cut to an exact input_tokens.
bool has_exact_length(PromptSource source) noexcept;

struct CellSpec {
  std::string result_name;  // the scenario name in results (runbook's: single_request, …)
  std::string label;        // in=512,out=256,conc=8
  PromptSource prompts = PromptSource::corpus_en;
  std::optional<int> input_tokens;  // corpus sources only
  int output_tokens = 256;
  std::optional<int> concurrency;      // closed loop
  std::optional<double> request_rate;  // open loop (infinity: all at once)
  std::optional<double> burstiness;
  std::optional<int> max_concurrency;
  int num_requests = 1;  // measured, per trial
  int warmup = 0;
  bool flush_cache = false;   // empty the server's prefix cache before each trial
  std::string system_prompt;  // corpus sources: a system message with every request
};

struct ScenarioSpec {
  std::string name;  // what --scenario takes
  std::string description;
  std::vector<CellSpec> cells;
  std::string source;  // the file it came from
};

// Parse and check a scenario file or text; `name` stands for the file in messages.
ScenarioSpec load_scenario_file(const std::filesystem::path& file);
ScenarioSpec parse_scenario(std::string_view yaml, const std::string& name);

// The runbook's scenarios in its order: single, concurrent, long_context, prefix_cache, korean.
std::vector<std::string> builtin_scenario_names();
std::filesystem::path builtin_scenario_file(const std::string& name);

// --scenario "all", "single", "single,korean": the built-in scenarios named, in the order
// given ("all" = every built-in). Throws ScenarioError for an unknown name, listing the known.
std::vector<ScenarioSpec> resolve_scenarios(const std::string& names);

}  // namespace servemeter
