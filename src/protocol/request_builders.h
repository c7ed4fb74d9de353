#pragma once
// Request bodies for each API (not on the hot path: built once per request, nlohmann for
// clarity). Every body asks for streaming and for the server's own token counts.
#include "protocol/api_adapter.h"

namespace servemeter {

// POST /v1/chat/completions: system (if any) + user message, include_usage; with
// exact_output_length also ignore_eos + min_tokens (vLLM, SGLang, llama.cpp honour them; Ollama
// /v1 ignores unknown fields).
HttpRequestSpec build_openai_chat(const GenerationRequest& request);
// POST /v1/completions: the system prompt, if any, is prepended to the prompt, separated by a
// blank line ("\n\n"); otherwise as chat.
HttpRequestSpec build_openai_completions(const GenerationRequest& request);
// POST /api/chat: messages, options {temperature, num_predict, num_ctx if set}.
HttpRequestSpec build_ollama_chat(const GenerationRequest& request);
// POST /api/generate: prompt + system, options as /api/chat.
HttpRequestSpec build_ollama_generate(const GenerationRequest& request);
// POST /generate (SGLang native): text (system prompt prepended as for completions),
// sampling_params {max_new_tokens, temperature, ignore_eos + min_new_tokens when exact}.
HttpRequestSpec build_sglang_generate(const GenerationRequest& request);

}  // namespace servemeter
