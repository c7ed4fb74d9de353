#pragma once
// What each generated token of a request is: visible text (content or reasoning), an invisible
// control token (Harmony markup of gpt-oss), or the final EOS / <|return|>. Every kind counts in
// completion_tokens, as on the real servers; only text kinds produce a stream event.
#include <cstdint>
#include <random>
#include <string_view>

namespace servemeter::sim {

enum class TokenKind : std::uint8_t {
  content,
  reasoning,
  control,      // produces no event
  final_opens,  // Harmony <|message|> of the final channel: vLLM sends {"content":""}
  eos,          // the last token when the model stopped by itself
};

enum class FinishReason : std::uint8_t { stop, length };

class TokenPlan {
 public:
  // `total` tokens; ends with EOS when `stops`; Harmony layout when `reasoning`.
  TokenPlan(int total, bool stops, bool reasoning);
  TokenKind kind(int index) const;  // index 0 .. total-1
  int total() const { return total_; }
  FinishReason finish() const { return stops_ ? FinishReason::stop : FinishReason::length; }
  int reasoning_tokens() const;  // reasoning text tokens (SGLang usage.reasoning_tokens)

  // Harmony: <|channel|>analysis<|message|> ... <|end|><|start|>assistant<|channel|>final
  // <|message|> ... <|return|>: 3 control tokens before the reasoning, 6 between (the last of
  // them opens the final channel), 1 at the end: 10 in all with the stop token.
  static constexpr int kLead = 3;
  static constexpr int kMiddle = 6;

 private:
  int total_;
  bool stops_;
  bool reasoning_;
  int reasoning_len_ = 0;
};

// The text of generated token `index` of request `seed`: a word from a fixed JSON-safe
// vocabulary (no quotes, backslashes, <, >, &), so events can be formatted without escaping.
std::string_view token_text(std::uint64_t seed, int index);
// A stable fake token id for the same token.
std::uint32_t token_id(std::uint64_t seed, int index);

struct LengthChoice {
  int tokens = 1;
  bool stops = true;  // false: cut by max_tokens (finish_reason length)
};

// Output length: exactly `max_tokens` when `exact`; otherwise a seeded log-normal natural length
// (median `mean`), at least `min_tokens`, ending in EOS unless it reaches `max_tokens`.
LengthChoice choose_length(std::mt19937_64& rng, int mean, double sigma, int max_tokens,
                           int min_tokens, bool exact);

}  // namespace servemeter::sim
