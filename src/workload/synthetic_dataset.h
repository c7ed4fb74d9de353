#pragma once
// Distinct synthetic prompts of one target length (the custom cell of `servemeter run
// --input-tokens N`): each request's prompt differs from the others' from its first words, so no
// prefix cache helps.
#include <cstdint>

#include "workload/dataset.h"

namespace servemeter {

class SyntheticDataset final : public Dataset {
 public:
  SyntheticDataset(std::size_t input_tokens, std::uint64_t seed, std::string system_prompt = {});
  std::string describe() const override;
  void prompt(std::size_t index, int trial, Prompt& out) const override;

 private:
  std::size_t input_tokens_;
  std::uint64_t seed_;
  std::string system_;
};

}  // namespace servemeter
