#include "protocol/request_builders.h"

#include <nlohmann/json.hpp>

namespace servemeter {
namespace {

using nlohmann::json;

json chat_messages(const GenerationRequest& request) {
  json messages = json::array();
  if (!request.system_prompt.empty()) {
    messages.push_back({{"role", "system"}, {"content", request.system_prompt}});
  }
  messages.push_back({{"role", "user"}, {"content", request.prompt}});
  return messages;
}

std::string joined_prompt(const GenerationRequest& request) {
  if (request.system_prompt.empty()) return request.prompt;
  return request.system_prompt + "\n\n" + request.prompt;
}

// Shared by the two OpenAI-style bodies. include_usage makes the server send its own counts.
void add_openai_sampling(const GenerationRequest& request, json& body) {
  body["max_tokens"] = request.max_tokens;
  body["temperature"] = request.temperature;
  body["stream"] = true;
  body["stream_options"] = {{"include_usage", true}};
  if (request.exact_output_length) {
    body["ignore_eos"] = true;
    body["min_tokens"] = request.max_tokens;
  }
}

json ollama_options(const GenerationRequest& request) {
  json options = {{"temperature", request.temperature}, {"num_predict", request.max_tokens}};
  // Ollama silently truncates a prompt longer than num_ctx, so set it whenever it is known.
  if (request.context_length) options["num_ctx"] = *request.context_length;
  return options;
}

}  // namespace

HttpRequestSpec build_openai_chat(const GenerationRequest& request) {
  json body = {{"model", request.model}, {"messages", chat_messages(request)}};
  add_openai_sampling(request, body);
  return {"/v1/chat/completions", body.dump()};
}

HttpRequestSpec build_openai_completions(const GenerationRequest& request) {
  json body = {{"model", request.model}, {"prompt", joined_prompt(request)}};
  add_openai_sampling(request, body);
  return {"/v1/completions", body.dump()};
}

HttpRequestSpec build_ollama_chat(const GenerationRequest& request) {
  json body = {{"model", request.model},
               {"messages", chat_messages(request)},
               {"stream", true},
               {"options", ollama_options(request)}};
  return {"/api/chat", body.dump()};
}

HttpRequestSpec build_ollama_generate(const GenerationRequest& request) {
  json body = {{"model", request.model}, {"prompt", request.prompt}};
  if (!request.system_prompt.empty()) body["system"] = request.system_prompt;
  body["stream"] = true;
  body["options"] = ollama_options(request);
  return {"/api/generate", body.dump()};
}

HttpRequestSpec build_sglang_generate(const GenerationRequest& request) {
  json sampling = {{"max_new_tokens", request.max_tokens}, {"temperature", request.temperature}};
  if (request.exact_output_length) {
    sampling["ignore_eos"] = true;
    sampling["min_new_tokens"] = request.max_tokens;
  }
  json body = {{"text", joined_prompt(request)}, {"sampling_params", sampling}, {"stream", true}};
  return {"/generate", body.dump()};
}

}  // namespace servemeter
