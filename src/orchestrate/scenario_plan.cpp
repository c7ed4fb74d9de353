#include "orchestrate/scenario_plan.h"

#include <map>
#include <memory>

#include "core/data_dir.h"

namespace servemeter {
namespace {

// Corpora and prompt sets, loaded once per plan and shared by its cells.
class Sources {
 public:
  explicit Sources(const TextTokenizer& tokenizer) : tokenizer_(tokenizer) {}

  std::shared_ptr<const TokenizedCorpus> corpus(PromptSource source) {
    const char* file = source == PromptSource::corpus_ko ? "korean.txt" : "english.txt";
    auto& slot = corpora_[file];
    if (!slot) slot = TokenizedCorpus::load(data_dir() / "corpus" / file, tokenizer_);
    return slot;
  }
  std::shared_ptr<const std::vector<KoreanPair>> pairs() {
    if (!pairs_)
      pairs_ = std::make_shared<const std::vector<KoreanPair>>(
          load_korean_pairs(data_dir() / "corpus" / "korean_pairs.yaml"));
    return pairs_;
  }
  std::shared_ptr<const PrefixCacheSet> prefix_set() {
    if (!prefix_)
      prefix_ = std::make_shared<const PrefixCacheSet>(
          load_prefix_cache_set(data_dir() / "corpus" / "prefix_cache.yaml"));
    return prefix_;
  }

 private:
  const TextTokenizer& tokenizer_;
  std::map<std::string, std::shared_ptr<const TokenizedCorpus>> corpora_;
  std::shared_ptr<const std::vector<KoreanPair>> pairs_;
  std::shared_ptr<const PrefixCacheSet> prefix_;
};

// Ollama truncates a prompt longer than its context silently: size num_ctx for the cell's
// longest prompt plus the output, with room for the template, in steps of 256.
int context_for(std::size_t longest_prompt_tokens, int output_tokens) {
  const std::size_t needed = longest_prompt_tokens + static_cast<std::size_t>(output_tokens) + 64;
  return static_cast<int>((needed + 255) / 256 * 256);
}

std::size_t longest_prompt(const Dataset& dataset, std::size_t requests,
                           const TextTokenizer& tokenizer) {
  std::size_t longest = 0;
  Prompt prompt;
  for (std::size_t i = 0; i < requests; ++i) {
    dataset.prompt(i, 0, prompt);
    longest = std::max(longest, tokenizer.count(prompt.system) + tokenizer.count(prompt.user));
  }
  return longest;
}

}  // namespace

std::vector<CellPlan> expand_scenarios(const std::vector<ScenarioSpec>& scenarios,
                                       const PlanInputs& in) {
  Sources sources(*in.tokenizer);
  std::map<std::string, TokenCalibration> calibrations;  // per system prompt
  std::vector<CellPlan> plans;
  for (const ScenarioSpec& scenario : scenarios) {
    for (const CellSpec& cell : scenario.cells) {
      CellPlan plan;
      plan.scenario = cell.result_name;
      plan.label = cell.label;
      plan.warmup = cell.warmup;
      plan.num_requests = cell.num_requests;
      plan.trials = in.trials;
      plan.flush_cache = cell.flush_cache;
      const std::size_t requests = static_cast<std::size_t>(cell.warmup + cell.num_requests);
      switch (cell.prompts) {
        case PromptSource::corpus_en:
        case PromptSource::corpus_ko: {
          const auto corpus = sources.corpus(cell.prompts);
          auto found = calibrations.find(cell.system_prompt);
          if (found == calibrations.end())
            found = calibrations
                        .emplace(cell.system_prompt, in.calibrate
                                                         ? in.calibrate(cell.system_prompt, *corpus)
                                                         : TokenCalibration{})
                        .first;
          plan.dataset = std::make_shared<CorpusDataset>(
              corpus, static_cast<std::size_t>(*cell.input_tokens), found->second, in.seed,
              requests, in.tokenizer->describe(), cell.system_prompt);
          break;
        }
        case PromptSource::korean_ko:
        case PromptSource::korean_en:
          plan.dataset = std::make_shared<KoreanPairsDataset>(
              sources.pairs(), cell.prompts == PromptSource::korean_ko ? "ko" : "en");
          break;
        case PromptSource::prefix_shared:
        case PromptSource::prefix_unique:
          plan.dataset = std::make_shared<PrefixCacheDataset>(
              sources.prefix_set(), cell.prompts == PromptSource::prefix_unique);
          break;
      }
      plan.load.seed = in.seed;
      if (cell.request_rate) {
        plan.load.mode = load::OpenLoop{*cell.request_rate, cell.burstiness.value_or(1.0),
                                        cell.max_concurrency.value_or(0)};
      } else {
        plan.load.mode = load::ClosedLoop{*cell.concurrency};
      }
      plan.shared.model = in.model_id;
      plan.shared.max_tokens = cell.output_tokens;
      plan.shared.exact_output_length = in.exact_output;
      if (in.set_context_length) {
        const std::size_t longest = cell.input_tokens
                                        ? static_cast<std::size_t>(*cell.input_tokens)
                                        : longest_prompt(*plan.dataset, requests, *in.tokenizer);
        plan.shared.context_length = context_for(longest, cell.output_tokens);
      }

      nlohmann::json& p = plan.params;
      p["input_tokens"] = cell.input_tokens ? nlohmann::json(*cell.input_tokens) : nlohmann::json();
      p["output_tokens"] = cell.output_tokens;
      p["num_requests"] = cell.num_requests;
      p["warmup"] = cell.warmup;
      p["seed"] = in.seed;
      p["prompts"] = std::string(to_string(cell.prompts));
      p["dataset"] = plan.dataset->describe();
      p["exact_output_length"] = in.exact_output;
      p["scenario_file"] = scenario.name;
      if (cell.request_rate) {
        p["request_rate"] = std::isinf(*cell.request_rate) ? nlohmann::json("inf")
                                                           : nlohmann::json(*cell.request_rate);
        p["burstiness"] = cell.burstiness.value_or(1.0);
        p["concurrency"] =
            cell.max_concurrency ? nlohmann::json(*cell.max_concurrency) : nlohmann::json(nullptr);
      } else {
        p["concurrency"] = *cell.concurrency;
      }
      if (!cell.system_prompt.empty()) p["system_prompt"] = cell.system_prompt;
      if (!in.slo.is_null()) p["slo"] = in.slo;
      if (plan.shared.context_length) p["num_ctx"] = *plan.shared.context_length;
      if (cell.flush_cache) p["flush_cache"] = true;
      plans.push_back(std::move(plan));
    }
  }
  return plans;
}

}  // namespace servemeter
