#pragma once
// Error answers shaped like each server's (shared/fixtures/wire/*error*).
#include <string>

#include "sim/connection.h"

namespace servemeter::sim {

// A JSON error reply for `status` in the envelope the profile (and, for Ollama, the API family)
// uses. `param` is vLLM's `param` field (empty: null).
Reply error_reply(const ServerState& state, Api api, int status, const std::string& message,
                  const std::string& param = "");

// The prompt does not fit the context: vLLM/SGLang/llama.cpp wording and fields.
Reply context_error(const ServerState& state, Api api, int prompt_tokens, int context);
// prompt + max_tokens does not fit (vLLM's max_tokens error).
Reply max_tokens_error(const ServerState& state, Api api, int prompt_tokens, int max_tokens,
                       int context);
Reply model_not_found(const ServerState& state, Api api, const std::string& model);
Reply not_found_path(const ServerState& state);

}  // namespace servemeter::sim
