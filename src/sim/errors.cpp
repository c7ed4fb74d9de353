#include "sim/errors.h"

#include <nlohmann/json.hpp>

namespace servemeter::sim {
namespace {

using ojson = nlohmann::ordered_json;

std::string vllm_type(int status) {
  switch (status) {
    case 400:
      return "BadRequestError";
    case 404:
      return "NotFoundError";
    case 429:
      return "RateLimitError";
    case 503:
      return "ServiceUnavailableError";
    default:
      return "InternalServerError";
  }
}

std::string llamacpp_type(int status) {
  switch (status) {
    case 400:
      return "invalid_request_error";
    case 404:
      return "not_found_error";
    case 503:
      return "unavailable_error";
    default:
      return "server_error";
  }
}

bool ollama_native(Api api) {
  return api == Api::ollama_chat || api == Api::ollama_generate;
}

}  // namespace

Reply error_reply(const ServerState& state, Api api, int status, const std::string& message,
                  const std::string& param) {
  Reply r;
  r.status = status;
  const Dialect dialect = state.traits.dialect;
  if (dialect == Dialect::vllm) {
    r.body = ojson{{"error",
                    {{"message", message},
                     {"type", vllm_type(status)},
                     {"param", param.empty() ? ojson(nullptr) : ojson(param)},
                     {"code", status}}}}
                 .dump();
  } else if (dialect == Dialect::sglang) {
    if (api == Api::sglang_generate) {
      r.body = ojson{{"error", {{"message", message}}}}.dump();
    } else {
      r.body = ojson{
          {"object", "error"},
          {"message", message},
          {"type", vllm_type(status)},
          {"param", nullptr},
          {"code",
           status}}.dump();
    }
  } else if (dialect == Dialect::ollama) {
    r.content_type = "application/json; charset=utf-8";
    if (ollama_native(api)) {
      r.body = ojson{{"error", message}}.dump();
    } else {
      r.body = ojson{{"error",
                      {{"message", message},
                       {"type", status == 400 ? "invalid_request_error" : "api_error"},
                       {"param", nullptr},
                       {"code", nullptr}}}}
                   .dump() +
               "\n";
    }
  } else {
    r.content_type = "application/json; charset=utf-8";
    r.body =
        ojson{{"error", {{"code", status}, {"message", message}, {"type", llamacpp_type(status)}}}}
            .dump();
  }
  return r;
}

Reply context_error(const ServerState& state, Api api, int prompt_tokens, int context) {
  const Dialect dialect = state.traits.dialect;
  const std::string n = std::to_string(prompt_tokens);
  const std::string m = std::to_string(context);
  if (dialect == Dialect::vllm) {
    return error_reply(state, api, 400,
                       "This model's maximum context length is " + m +
                           " tokens. However, your request has " + n +
                           " input tokens. Please reduce the length of the input messages. "
                           "(parameter=input_tokens, value=" +
                           n + ")",
                       "input_tokens");
  }
  if (dialect == Dialect::llamacpp) {
    Reply r;
    r.status = 400;
    r.content_type = "application/json; charset=utf-8";
    r.close = true;  // llama-server closes after this error (fixture headers)
    r.body = ojson{{"error",
                    {{"code", 400},
                     {"message", "request (" + n + " tokens) exceeds the available context size (" +
                                     m + " tokens), try increasing it"},
                     {"type", "exceed_context_size_error"},
                     {"n_prompt_tokens", prompt_tokens},
                     {"n_ctx", context}}}}
                 .dump();
    return r;
  }
  return error_reply(
      state, api, 400,
      "The input (" + n + " tokens) is longer than the model's context length (" + m + " tokens).");
}

Reply max_tokens_error(const ServerState& state, Api api, int prompt_tokens, int max_tokens,
                       int context) {
  const std::string mt = std::to_string(max_tokens);
  const std::string c = std::to_string(context);
  const std::string n = std::to_string(prompt_tokens);
  if (state.traits.dialect == Dialect::vllm) {
    return error_reply(state, api, 400,
                       "'max_tokens' or 'max_completion_tokens' is too large: " + mt +
                           ". This model's maximum context length is " + c +
                           " tokens and your request has " + n + " input tokens (" + mt + " > " +
                           c + " - " + n + "). (parameter=max_tokens, value=" + mt + ")",
                       "max_tokens");
  }
  return error_reply(state, api, 400,
                     "Requested token count exceeds the model's maximum context length of " + c +
                         " tokens. You requested a total of " +
                         std::to_string(prompt_tokens + max_tokens) + " tokens: " + n +
                         " tokens from the input messages and " + mt +
                         " tokens for the completion. Please reduce the number of tokens in the "
                         "input messages or the completion to fit within the limit.");
}

Reply model_not_found(const ServerState& state, Api api, const std::string& model) {
  if (state.traits.dialect == Dialect::vllm) {
    return error_reply(state, api, 404, "The model `" + model + "` does not exist.", "model");
  }
  return error_reply(state, api, 404, "model '" + model + "' not found");
}

Reply not_found_path(const ServerState& state) {
  Reply r;
  r.status = 404;
  const Dialect dialect = state.traits.dialect;
  if (dialect == Dialect::ollama) {
    r.content_type = "text/plain";
    r.body = "404 page not found";
  } else if (dialect == Dialect::llamacpp) {
    r.content_type = "application/json; charset=utf-8";
    r.body = R"({"error":{"code":404,"message":"File Not Found","type":"not_found_error"}})";
  } else {
    r.body = R"({"detail":"Not Found"})";
  }
  return r;
}

}  // namespace servemeter::sim
