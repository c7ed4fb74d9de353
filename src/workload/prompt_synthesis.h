#pragma once
#include <cstdint>
#include <string>

namespace servemeter {

// English text of exactly `tokens` tokens under approx_tokenizer: seeded sequences of common
// short words, each of which is also a single token in Llama-3-style BPE vocabularies. Distinct
// seeds give distinct texts so prompts do not share a cached prefix by accident.
std::string synthesize_prompt(std::size_t tokens, std::uint64_t seed);

}  // namespace servemeter
