#include "workload/synthetic_dataset.h"

#include "workload/prompt_synthesis.h"

namespace servemeter {

SyntheticDataset::SyntheticDataset(std::size_t input_tokens, std::uint64_t seed,
                                   std::string system_prompt, bool same_prompt)
    : input_tokens_(input_tokens),
      seed_(seed),
      system_(std::move(system_prompt)),
      same_prompt_(same_prompt) {}

std::string SyntheticDataset::describe() const {
  return "synthetic English words, " + std::to_string(input_tokens_) +
         " tokens (approximate tokenizer)" + (same_prompt_ ? ", the same for every request" : "");
}

void SyntheticDataset::prompt(std::size_t index, int trial, Prompt& out) const {
  out.system = system_;
  // Distinct per request and trial unless asked otherwise: no accidental prefix-cache hits.
  const std::uint64_t seed =
      same_prompt_ ? seed_
                   : seed_ * 1'000'003 + static_cast<std::uint64_t>(trial) * 100'003 + index;
  out.user = synthesize_prompt(input_tokens_, seed);
  out.target_input_tokens = static_cast<std::int64_t>(input_tokens_);
  out.item = 0;
}

}  // namespace servemeter
