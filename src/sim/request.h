#pragma once
// Generation requests as the simulated servers read them, and the chat-template token count.
//
// Chat template (documented approximation of Llama 3's): BOS, then per message
// <|start_header_id|> role <|end_header_id|> "\n\n" content <|eot_id|> (5 tokens + content),
// then the generation prompt <|start_header_id|> assistant <|end_header_id|> "\n\n" (4 tokens).
// Content tokens come from the model's tokenizer when the simulator was given one (--tokenizer),
// else from approx_tokenize (Korean costs more than English either way). Completion-style
// prompts (/v1/completions, /generate) are BOS + the prompt's tokens.
#include <optional>
#include <string>

#include "sim/emitter.h"
#include "sim/prefix_cache.h"
#include "workload/tokenizer.h"

namespace servemeter::sim {

struct GenRequest {
  Api api = Api::openai_chat;
  std::string model;
  Tokens prompt;
  std::optional<int> max_tokens;
  int min_tokens = 0;
  bool ignore_eos = false;
  bool stream = false;
  bool include_usage = false;
  std::optional<int> num_ctx;  // Ollama options.num_ctx
};

struct ParseError {
  int status = 400;
  std::string message;
};

// Parses a JSON body for `api`. Returns the request, or fills `error` (malformed JSON, missing
// fields, wrong types) and returns nullopt.
// `tokenizer`: the model's, or null for the approximation.
std::optional<GenRequest> parse_generation(Api api, const std::string& body, ParseError& error,
                                           const Tokenizer* tokenizer = nullptr);

Tokens chat_template_tokens(const std::vector<std::pair<std::string, std::string>>& messages,
                            const Tokenizer* tokenizer = nullptr);
Tokens completion_tokens(const std::string& prompt, const Tokenizer* tokenizer = nullptr);
Tokens content_tokens(std::string_view text, const Tokenizer* tokenizer);

}  // namespace servemeter::sim
