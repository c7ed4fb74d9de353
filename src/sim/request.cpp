#include "sim/request.h"

#include <nlohmann/json.hpp>

namespace servemeter::sim {
namespace {

using nlohmann::json;

constexpr TokenId kBos = 128000;
constexpr TokenId kStartHeader = 128006;
constexpr TokenId kEndHeader = 128007;
constexpr TokenId kEot = 128009;
constexpr TokenId kNewlines = 271;

TokenId role_id(const std::string& role) {
  if (role == "system") return 9125;
  if (role == "assistant") return 78191;
  if (role == "tool") return 14506;
  return 882;  // user
}

// OpenAI content: a string, or an array of parts of which the text parts count.
std::string content_text(const json& content) {
  if (content.is_string()) return content.get<std::string>();
  std::string out;
  if (content.is_array()) {
    for (const json& part : content) {
      if (part.is_object() && part.contains("text") && part["text"].is_string()) {
        out += part["text"].get<std::string>();
      }
    }
  }
  return out;
}

bool read_messages(const json& body, std::vector<std::pair<std::string, std::string>>& out,
                   ParseError& error) {
  if (!body.contains("messages") || !body["messages"].is_array() || body["messages"].empty()) {
    error.message = "'messages' must be a non-empty array";
    return false;
  }
  for (const json& m : body["messages"]) {
    if (!m.is_object()) {
      error.message = "each message must be an object with 'role' and 'content'";
      return false;
    }
    const std::string role = m.value("role", std::string("user"));
    out.emplace_back(role, m.contains("content") ? content_text(m["content"]) : std::string());
  }
  return true;
}

std::optional<int> opt_int(const json& obj, const char* key) {
  if (obj.is_object() && obj.contains(key) && obj[key].is_number_integer()) {
    return obj[key].get<int>();
  }
  return std::nullopt;
}

bool opt_bool(const json& obj, const char* key, bool fallback) {
  if (obj.is_object() && obj.contains(key) && obj[key].is_boolean()) return obj[key].get<bool>();
  return fallback;
}

}  // namespace

Tokens chat_template_tokens(const std::vector<std::pair<std::string, std::string>>& messages) {
  Tokens out{kBos};
  for (const auto& [role, content] : messages) {
    out.insert(out.end(), {kStartHeader, role_id(role), kEndHeader, kNewlines});
    const Tokens ids = approx_tokenize(content);
    out.insert(out.end(), ids.begin(), ids.end());
    out.push_back(kEot);
  }
  out.insert(out.end(), {kStartHeader, role_id("assistant"), kEndHeader, kNewlines});
  return out;
}

Tokens completion_tokens(const std::string& prompt) {
  Tokens out{kBos};
  const Tokens ids = approx_tokenize(prompt);
  out.insert(out.end(), ids.begin(), ids.end());
  return out;
}

std::optional<GenRequest> parse_generation(Api api, const std::string& body_text,
                                           ParseError& error) {
  json body = json::parse(body_text, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) {
    error.message = "request body is not a JSON object";
    return std::nullopt;
  }
  GenRequest r;
  r.api = api;
  if (body.contains("model") && body["model"].is_string())
    r.model = body["model"].get<std::string>();
  switch (api) {
    case Api::openai_chat:
    case Api::ollama_chat: {
      std::vector<std::pair<std::string, std::string>> messages;
      if (!read_messages(body, messages, error)) return std::nullopt;
      r.prompt = chat_template_tokens(messages);
      break;
    }
    case Api::openai_completions:
    case Api::ollama_generate: {
      if (!body.contains("prompt") || !body["prompt"].is_string()) {
        if (body.contains("prompt") && body["prompt"].is_array() && !body["prompt"].empty() &&
            body["prompt"][0].is_string()) {
          r.prompt = completion_tokens(body["prompt"][0].get<std::string>());
          break;
        }
        error.message = "'prompt' must be a string";
        return std::nullopt;
      }
      const std::string prompt = body["prompt"].get<std::string>();
      if (api == Api::ollama_generate) {
        r.prompt = chat_template_tokens({{"user", prompt}});  // Ollama applies the template
      } else {
        r.prompt = completion_tokens(prompt);
      }
      break;
    }
    case Api::sglang_generate: {
      if (body.contains("text") && body["text"].is_string()) {
        r.prompt = completion_tokens(body["text"].get<std::string>());
      } else if (body.contains("input_ids") && body["input_ids"].is_array()) {
        for (const json& id : body["input_ids"]) {
          if (id.is_number_integer()) r.prompt.push_back(id.get<TokenId>());
        }
      } else {
        error.message = "either 'text' or 'input_ids' must be given";
        return std::nullopt;
      }
      break;
    }
  }
  if (api == Api::openai_chat || api == Api::openai_completions) {
    r.max_tokens = opt_int(body, "max_completion_tokens");
    if (!r.max_tokens) r.max_tokens = opt_int(body, "max_tokens");
    r.min_tokens = opt_int(body, "min_tokens").value_or(0);
    r.ignore_eos = opt_bool(body, "ignore_eos", false);
    r.stream = opt_bool(body, "stream", false);
    if (body.contains("stream_options") && body["stream_options"].is_object()) {
      // vLLM: include_usage defaults to true once stream_options is present.
      r.include_usage = opt_bool(body["stream_options"], "include_usage", true);
    }
  } else if (api == Api::ollama_chat || api == Api::ollama_generate) {
    r.stream = opt_bool(body, "stream", true);  // Ollama streams by default
    if (body.contains("options") && body["options"].is_object()) {
      const auto n = opt_int(body["options"], "num_predict");
      if (n && *n > 0) {
        r.max_tokens = *n;
        r.ignore_eos = true;  // benchmarks ask for exact lengths this way
      }
      r.num_ctx = opt_int(body["options"], "num_ctx");
    }
  } else {
    const json sp = body.value("sampling_params", json::object());
    r.max_tokens = opt_int(sp, "max_new_tokens").value_or(128);
    r.min_tokens = opt_int(sp, "min_new_tokens").value_or(0);
    r.ignore_eos = opt_bool(sp, "ignore_eos", false);
    r.stream = opt_bool(body, "stream", false);
  }
  if (r.max_tokens && *r.max_tokens < 1) {
    error.message = "max_tokens must be at least 1, got " + std::to_string(*r.max_tokens);
    return std::nullopt;
  }
  return r;
}

}  // namespace servemeter::sim
