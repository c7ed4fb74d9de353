#pragma once
// Which models does the server serve? Read from /v1/models (OpenAI-style servers) or /api/tags
// (Ollama), so a typo in --model is caught before the run instead of as N failed requests.
#include <optional>
#include <string>
#include <vector>

#include "http/tls_options.h"

namespace servemeter {

// nullopt when the server offers no listing we can read (the run then goes on unchecked);
// `unauthorized` (if given) is set when a listing answered 401/403: the server wants a key.
std::optional<std::vector<std::string>> served_models(const std::string& base_url,
                                                      const std::string& api_key,
                                                      const http::TlsOptions& tls = {},
                                                      long timeout_ms = 5000,
                                                      bool* unauthorized = nullptr);

// The context length the server reports for `model_id` (vLLM's /v1/models max_model_len), if it
// reports one.
std::optional<int> served_context_length(const std::string& base_url, const std::string& model_id,
                                         const std::string& api_key,
                                         const http::TlsOptions& tls = {});

// Ollama treats "name" and "name:latest" as the same model.
bool model_is_served(const std::string& model_id, const std::vector<std::string>& served);

}  // namespace servemeter
