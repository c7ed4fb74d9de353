#include "sim/aux_endpoints.h"

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string_view>

#include "sim/errors.h"
#include "sim/request.h"

namespace servemeter::sim {
namespace {

using ojson = nlohmann::ordered_json;

Reply json_reply(const ojson& j, const ServerState& s, bool trailing_newline = false) {
  Reply r;
  if (s.traits.json_charset) r.content_type = "application/json; charset=utf-8";
  r.body = j.dump();
  if (trailing_newline) r.body += "\n";
  return r;
}

Reply text_reply(int status, std::string content_type, std::string body) {
  Reply r;
  r.status = status;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  return r;
}

// vLLM registers its development endpoints only when this variable is "1" (or "true").
bool vllm_dev_mode() {
  const char* value = std::getenv("VLLM_SERVER_DEV_MODE");
  return value != nullptr && (std::string_view(value) == "1" || std::string_view(value) == "true");
}

ojson ollama_details(const std::string& model) {
  const bool oss = model.find("gpt-oss") != std::string::npos;
  return ojson{{"parent_model", ""},
               {"format", "gguf"},
               {"family", oss ? "gptoss" : "llama"},
               {"families", ojson::array({oss ? "gptoss" : "llama"})},
               {"parameter_size", oss ? "20.9B" : "8.0B"},
               {"quantization_level", oss ? "MXFP4" : "Q4_K_M"}};
}

constexpr const char* kDigest = "aa4295ac10c3afb60e6d711289fc6896f5aef82258997b9efdaed6d0cc4cd8b8";

std::optional<Reply> ollama(ServerState& s, const std::string& path, bool get, bool post) {
  if (get && path == "/") {
    if (s.loading()) return text_reply(503, "text/plain; charset=utf-8", "loading");
    return text_reply(200, "text/plain; charset=utf-8", "Ollama is running");
  }
  if (get && path == "/api/version") return json_reply(ojson{{"version", s.profile.version}}, s);
  if (get && path == "/api/tags") {
    ojson m{{"name", s.model},
            {"model", s.model},
            {"modified_at", "2026-02-18T09:14:49.067174058-08:00"},
            {"size", 13780173724LL},
            {"digest", kDigest},
            {"details", ollama_details(s.model)}};
    return json_reply(ojson{{"models", ojson::array({m})}}, s);
  }
  if (get && path == "/api/ps") {
    ojson m{{"name", s.model},
            {"model", s.model},
            {"size", 14918201344LL},
            {"digest", kDigest},
            {"details", ollama_details(s.model)},
            {"expires_at", "2099-01-01T00:00:00-08:00"},
            {"size_vram", 14918201344LL},
            {"context_length", s.profile.context_length}};
    return json_reply(ojson{{"models", ojson::array({m})}}, s);
  }
  if (get && path == "/v1/models") {
    ojson m{{"id", s.model}, {"object", "model"}, {"created", 1771434889}, {"owned_by", "library"}};
    return json_reply(ojson{{"object", "list"}, {"data", ojson::array({m})}}, s, true);
  }
  if (post && path == "/api/pull") {
    // Already present: one line per layer with completed == total, as Ollama sends.
    std::string body = "{\"status\":\"pulling manifest\"}\n";
    body +=
        "{\"status\":\"pulling e7b273f96360\",\"digest\":\"sha256:"
        "e7b273f9636059e55a9e0ae8d2c6f8d9c1e4d7b5a3f8e2c6d1b9a7f3e5c2d4b6\","
        "\"total\":13780154624,\"completed\":13780154624}\n";
    body +=
        "{\"status\":\"verifying sha256 digest\"}\n{\"status\":\"writing manifest\"}\n"
        "{\"status\":\"success\"}\n";
    return text_reply(200, "application/x-ndjson", body);
  }
  return std::nullopt;
}

std::optional<Reply> tokenize(ServerState& s, const std::string& body) {
  const ojson j = ojson::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return error_reply(s, Api::openai_completions, 400, "request body is not a JSON object");
  }
  Tokens ids;
  if (j.contains("messages") && j["messages"].is_array()) {
    std::vector<std::pair<std::string, std::string>> msgs;
    for (const auto& m : j["messages"]) {
      if (m.is_object() && m.contains("content") && m["content"].is_string()) {
        msgs.emplace_back(m.value("role", std::string("user")), m["content"].get<std::string>());
      }
    }
    ids = chat_template_tokens(msgs, s.tokenizer.get());
  } else {
    const bool llamacpp = s.traits.tokenize == TokenizeStyle::llamacpp;
    const char* key = llamacpp ? "content" : "prompt";
    const std::string text = j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
    ids = llamacpp ? content_tokens(text, s.tokenizer.get())
                   : completion_tokens(text, s.tokenizer.get());
  }
  if (s.traits.tokenize == TokenizeStyle::llamacpp) return json_reply(ojson{{"tokens", ids}}, s);
  return json_reply(ojson{{"count", ids.size()},
                          {"max_model_len", s.profile.context_length},
                          {"tokens", ids},
                          {"token_strs", nullptr}},
                    s);
}

}  // namespace

std::optional<Reply> aux_endpoint(ServerState& s, const std::string& path, bool get, bool post,
                                  const std::string& body) {
  const ProfileTraits& t = s.traits;
  if (t.ollama_api) return ollama(s, path, get, post);

  if (get && path == "/metrics" && t.metrics != MetricsStyle::none)
    return text_reply(200, std::string(t.metrics_content_type), metrics_text(s));
  if (get && (path == "/health" || path == "/ping" || path == "/health_generate")) {
    if (t.health == HealthStyle::status_json) {
      if (s.loading()) {
        Reply r = error_reply(s, Api::openai_chat, 503, "Loading model");
        return r;
      }
      return json_reply(ojson{{"status", "ok"}}, s);
    }
    return text_reply(s.loading() ? 503 : 200, "application/json", "");
  }
  if (get && path == "/v1/models") {
    if (t.models == ModelsStyle::llamacpp) {
      ojson legacy{{"name", s.model},
                   {"model", s.model},
                   {"modified_at", ""},
                   {"size", ""},
                   {"digest", ""},
                   {"type", "model"},
                   {"description", ""},
                   {"tags", ojson::array({""})},
                   {"capabilities", ojson::array({"completion"})},
                   {"parameters", ""},
                   {"details",
                    {{"parent_model", ""},
                     {"format", "gguf"},
                     {"family", ""},
                     {"families", ojson::array({""})},
                     {"parameter_size", ""},
                     {"quantization_level", ""}}}};
      ojson data{{"id", s.model},
                 {"aliases", ojson::array({s.model})},
                 {"tags", ojson::array()},
                 {"object", "model"},
                 {"created", unix_seconds()},
                 {"owned_by", "llamacpp"},
                 {"meta",
                  {{"vocab_type", 2},
                   {"n_vocab", 128256},
                   {"n_ctx", s.profile.context_length},
                   {"n_ctx_train", s.profile.context_length},
                   {"n_embd", 4096},
                   {"n_params", 8030261248LL},
                   {"size", 4920734720LL},
                   {"ftype", "Q4_K_M"}}}};
      return json_reply(ojson{{"models", ojson::array({legacy})},
                              {"object", "list"},
                              {"data", ojson::array({data})}},
                        s);
    }
    ojson m{{"id", s.model},
            {"object", "model"},
            {"created", unix_seconds()},
            {"owned_by", std::string(t.name)},
            {"root", s.model},
            {"parent", nullptr},
            {"max_model_len", s.profile.context_length}};
    if (t.models == ModelsStyle::openai_permissions) {
      m["permission"] = ojson::array({ojson{{"id", "modelperm-0c1d2e3f4a5b6c7d"},
                                            {"object", "model_permission"},
                                            {"created", unix_seconds()},
                                            {"allow_create_engine", false},
                                            {"allow_sampling", true},
                                            {"allow_logprobs", true},
                                            {"allow_search_indices", false},
                                            {"allow_view", true},
                                            {"allow_fine_tuning", false},
                                            {"organization", "*"},
                                            {"group", nullptr},
                                            {"is_blocking", false}}});
    }
    return json_reply(ojson{{"object", "list"}, {"data", ojson::array({m})}}, s);
  }
  if (post && path == "/tokenize" && t.tokenize != TokenizeStyle::none) return tokenize(s, body);
  if (t.version_endpoint && get && path == "/version")
    return json_reply(ojson{{"version", s.profile.version}}, s);
  if (t.dev_mode_reset_prefix_cache && post && path == "/reset_prefix_cache" && vllm_dev_mode()) {
    const bool ok = s.engine ? s.engine->scheduler().flush_cache() : s.active_streams == 0;
    if (ok) return text_reply(200, "application/json", "");
    Reply refused =
        json_reply(ojson{{"object", "error"},
                         {"message", "Failed to reset prefix cache: requests are running"},
                         {"type", "InternalServerError"},
                         {"param", nullptr},
                         {"code", 500}},
                   s);
    refused.status = 500;
    return refused;
  }
  if (t.sglang_api) {
    if (get && (path == "/get_model_info" || path == "/model_info")) {
      return json_reply(ojson{{"model_path", s.model},
                              {"tokenizer_path", s.model},
                              {"is_generation", true},
                              {"preferred_sampling_params", nullptr},
                              {"weight_version", "default"},
                              {"has_image_understanding", false},
                              {"has_audio_understanding", false},
                              {"model_type", "llama"},
                              {"architectures", ojson::array({"LlamaForCausalLM"})}},
                        s);
    }
    if ((get || post) && path == "/flush_cache") {
      const bool ok = s.engine ? s.engine->scheduler().flush_cache() : s.active_streams == 0;
      return text_reply(ok ? 200 : 400, "text/plain; charset=utf-8",
                        ok ? "Cache flushed.\nPlease check backend logs for more details. (When "
                             "there are running or waiting requests, the operation will not be "
                             "performed.)\n"
                           : "Cache not flushed. Please check backend logs for more details. "
                             "(When there are running or waiting requests, the operation will "
                             "not be performed.)\n");
    }
    if (get && path == "/get_server_info") {
      return json_reply(ojson{{"model_path", s.model},
                              {"context_length", s.profile.context_length},
                              {"max_running_requests", s.profile.max_running},
                              {"incremental_streaming_output", false},
                              {"version", s.profile.version}},
                        s);
    }
  }
  return std::nullopt;
}

}  // namespace servemeter::sim
