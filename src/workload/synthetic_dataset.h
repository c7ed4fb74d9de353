#pragma once
// Synthetic prompts of one length under the approximate tokenizer, cheap enough to build one per
// request at any rate (benchmarks of the client, soak runs, tests): by default each request's
// prompt differs from the others' from its first words, so no prefix cache helps; `same_prompt`
// gives every request the same one (prefix-cache tests).
#include <cstdint>

#include "workload/dataset.h"

namespace servemeter {

class SyntheticDataset final : public Dataset {
 public:
  SyntheticDataset(std::size_t input_tokens, std::uint64_t seed, std::string system_prompt = {},
                   bool same_prompt = false);
  std::string describe() const override;
  void prompt(std::size_t index, int trial, Prompt& out) const override;

 private:
  std::size_t input_tokens_;
  std::uint64_t seed_;
  std::string system_;
  bool same_prompt_;
};

}  // namespace servemeter
