#include "sim/nonstream.h"

#include <nlohmann/json.hpp>

namespace servemeter::sim {
namespace {

using ojson = nlohmann::ordered_json;

const char* reason_str(FinishReason r) {
  return r == FinishReason::stop ? "stop" : "length";
}

ojson openai_usage(const FinishInfo& f) {
  return ojson{{"prompt_tokens", f.prompt_tokens},
               {"total_tokens", f.prompt_tokens + f.completion_tokens},
               {"completion_tokens", f.completion_tokens},
               {"prompt_tokens_details", nullptr}};
}

std::string ollama_native(const StreamInfo& info, const FinishInfo& f, const std::string& content,
                          const std::string& reasoning) {
  ojson j{{"model", info.model}, {"created_at", rfc3339_nano_utc()}};
  if (info.api == Api::ollama_chat) {
    ojson msg{{"role", "assistant"}, {"content", content}};
    if (!reasoning.empty()) msg["thinking"] = reasoning;
    j["message"] = msg;
  } else {
    j["response"] = content;
    if (!reasoning.empty()) j["thinking"] = reasoning;
  }
  j["done"] = true;
  j["done_reason"] = reason_str(f.reason);
  if (info.api == Api::ollama_generate && f.context != nullptr) j["context"] = *f.context;
  j["total_duration"] = f.total_ns;
  j["load_duration"] = f.load_ns;
  j["prompt_eval_count"] = f.prompt_tokens;
  j["prompt_eval_duration"] = f.prompt_eval_ns;
  j["eval_count"] = f.completion_tokens;
  j["eval_duration"] = f.eval_ns;
  return j.dump();
}

}  // namespace

std::string_view nonstream_content_type(const StreamInfo& info) {
  if (info.json_charset) return "application/json; charset=utf-8";
  return "application/json";
}

std::string nonstream_body(const StreamInfo& info, const FinishInfo& f, const std::string& content,
                           const std::string& reasoning) {
  if (info.api == Api::ollama_chat || info.api == Api::ollama_generate) {
    return ollama_native(info, f, content, reasoning);
  }
  if (info.api == Api::sglang_generate) {
    ojson meta{{"id", info.id},
               {"finish_reason", f.reason == FinishReason::stop
                                     ? ojson{{"type", "stop"}, {"matched", 128009}}
                                     : ojson{{"type", "length"}, {"length", f.completion_tokens}}},
               {"prompt_tokens", f.prompt_tokens},
               {"weight_version", "default"},
               {"total_retractions", 0},
               {"completion_tokens", f.completion_tokens},
               {"cached_tokens", f.cached_tokens},
               {"e2e_latency", static_cast<double>(f.total_ns) / 1e9}};
    return ojson{{"text", content}, {"output_ids", ojson::array()}, {"meta_info", meta}}.dump();
  }
  const bool chat = info.api == Api::openai_chat;
  ojson choice{{"index", 0}};
  if (chat) {
    ojson msg{{"role", "assistant"}, {"content", content}};
    if (info.dialect == Dialect::vllm) {
      msg["reasoning"] = reasoning.empty() ? ojson(nullptr) : ojson(reasoning);
      msg["reasoning_content"] = msg["reasoning"];
    } else if (info.dialect == Dialect::sglang) {
      msg["reasoning_content"] = reasoning.empty() ? ojson(nullptr) : ojson(reasoning);
    } else if (!reasoning.empty()) {
      msg[info.dialect == Dialect::ollama ? "reasoning" : "reasoning_content"] = reasoning;
    }
    choice["message"] = msg;
  } else {
    choice["text"] = content;
  }
  choice["logprobs"] = nullptr;
  choice["finish_reason"] = reason_str(f.reason);
  ojson j{{"id", info.id},
          {"object", chat ? "chat.completion" : "text_completion"},
          {"created", info.created},
          {"model", info.model}};
  if (info.dialect == Dialect::ollama) j["system_fingerprint"] = "fp_ollama";
  j["choices"] = ojson::array({choice});
  j["usage"] = openai_usage(f);
  if (info.dialect == Dialect::llamacpp) {
    j["usage"]["prompt_tokens_details"] = ojson{{"cached_tokens", f.cached_tokens}};
  }
  return j.dump();
}

}  // namespace servemeter::sim
