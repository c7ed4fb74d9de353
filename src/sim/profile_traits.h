#pragma once
// How each simulated server differs from the others on the wire and in what it accepts, in one
// table (profile_traits.cpp). The code asks for a trait, never for a profile's name, so a new
// profile is one more row here plus its performance figures in data/sim_profiles.yaml.
#include <string>
#include <string_view>
#include <vector>

namespace servemeter::sim {

// The HTTP server library behind the real server: header names, case and order.
enum class HeaderStyle {
  uvicorn,  // lower-case names, date/server first (vLLM, SGLang)
  go,       // Go net/http: Content-Type, Date, Content-Length (Ollama)
  httplib,  // cpp-httplib: Server and CORS headers, Keep-Alive timeout (llama-server)
};

// The OpenAI-compatible dialect: stream events, non-streamed bodies, reasoning fields, error
// envelopes, response ids and 404 bodies all follow the server they come from.
enum class Dialect { vllm, sglang, ollama, llamacpp };

enum class MetricsStyle { none, vllm, sglang, llamacpp };  // Prometheus names and labels
enum class HealthStyle { empty_body, status_json };        // GET /health: "" or {"status":"ok"}
enum class ModelsStyle { openai, openai_permissions, llamacpp };  // GET /v1/models
enum class TokenizeStyle { none, vllm, llamacpp };                // POST /tokenize

struct ProfileTraits {
  std::string_view name;
  HeaderStyle headers;
  Dialect dialect;
  bool json_charset;  // JSON answers say "application/json; charset=utf-8"
  bool idle_timeout;  // idle keep-alive connections are closed after 5 s
  MetricsStyle metrics;
  std::string_view metrics_content_type;
  HealthStyle health;
  ModelsStyle models;
  TokenizeStyle tokenize;
  bool version_endpoint;  // GET /version
  bool ollama_api;        // /, /api/chat, /api/generate, /api/tags, /api/ps, /api/pull…
  bool sglang_api;        // /generate, /get_model_info, /flush_cache, /get_server_info
  // POST /reset_prefix_cache, served (as by vLLM) only when VLLM_SERVER_DEV_MODE=1 is set.
  bool dev_mode_reset_prefix_cache;
  // Generation requests:
  bool requires_model;           // 400 when the request names no model
  bool checks_model;             // 404 for a model it does not serve
  bool model_latest_alias;       // "name" and "name:latest" are the same model
  bool truncates_long_prompts;   // keeps the last num_ctx tokens instead of refusing
  bool context_error_in_stream;  // a too-long streamed prompt: 200, then an error event
  bool checks_max_tokens;        // refuses prompt + max_tokens > context
};

// The row for `name`; nullptr when there is none.
const ProfileTraits* find_profile_traits(std::string_view name);
// "vllm, sglang, ollama or llamacpp", for messages.
std::string profile_names();
// Every row's name, in table order.
std::vector<std::string> profile_list();

}  // namespace servemeter::sim
