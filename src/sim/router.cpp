// Which path does what on each simulated server, and the generation entry point: parse,
// validate (model, context), inject status faults, decide the output length, start the stream.
#include <boost/beast/http/verb.hpp>
#include <cstdio>

#include "sim/aux_endpoints.h"
#include "sim/errors.h"

namespace servemeter::sim {
namespace {

namespace http = boost::beast::http;

std::string hex_id(std::mt19937_64& rng, int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < digits; ++i) out += kHex[rng() % 16];
  return out;
}

std::string alnum_id(std::mt19937_64& rng, int n) {
  static constexpr char kChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string out;
  for (int i = 0; i < n; ++i) out += kChars[rng() % 62];
  return out;
}

std::string response_id(Dialect dialect, Api api, std::mt19937_64& rng) {
  const bool chat = api == Api::openai_chat;
  switch (dialect) {
    case Dialect::vllm:
      return (chat ? "chatcmpl-" : "cmpl-") + hex_id(rng, 16);
    case Dialect::sglang:
      return hex_id(rng, 32);
    case Dialect::ollama:
      return (chat ? "chatcmpl-" : "cmpl-") + std::to_string(rng() % 999);
    case Dialect::llamacpp:
      break;
  }
  return "chatcmpl-" + alnum_id(rng, 32);
}

void log_reply(ServerState& state, Connection& conn, Reply r, const char* fault, int input_tokens) {
  TruthRecord& t = conn.truth();
  t.id = state.next_id++;
  t.status = r.status;
  t.input_tokens = input_tokens;
  if (fault != nullptr) t.fault = fault;
  t.end_ns = t.read_ns;  // error answers are written at once
  state.truth.append(t);
  conn.reply(std::move(r));
}

void generate(ServerState& state, Connection& conn, Api api, const std::string& body) {
  if (state.loading()) {
    log_reply(state, conn, error_reply(state, api, 503, "Loading model"), "loading", 0);
    return;
  }
  ParseError perr;
  std::optional<GenRequest> parsed = parse_generation(api, body, perr, state.tokenizer.get());
  if (!parsed) {
    log_reply(state, conn, error_reply(state, api, perr.status, perr.message), nullptr, 0);
    return;
  }
  GenRequest& req = *parsed;
  const ProfileTraits& traits = state.traits;
  const bool ollama_native = api == Api::ollama_chat || api == Api::ollama_generate;
  if (req.model.empty() && traits.requires_model) {
    log_reply(state, conn, error_reply(state, api, 400, "model is required"), nullptr, 0);
    return;
  }
  // vLLM and Ollama check the model name; SGLang and llama-server serve whatever is asked.
  if (traits.checks_model && !req.model.empty() && !state.model_matches(req.model)) {
    log_reply(state, conn, model_not_found(state, api, req.model), nullptr, 0);
    return;
  }
  int context = state.profile.context_length;
  auto n_prompt = static_cast<int>(req.prompt.size());
  if (ollama_native || traits.truncates_long_prompts) {
    // Ollama never refuses a long prompt: it keeps the last num_ctx tokens.
    if (req.num_ctx && *req.num_ctx > 0) context = *req.num_ctx;
    if (n_prompt >= context) {
      req.prompt.erase(req.prompt.begin(), req.prompt.end() - (context - 1));
      n_prompt = context - 1;
    }
  } else if (n_prompt >= context) {
    // SGLang 0.5: an error event, status 200
    const bool in_stream = traits.context_error_in_stream && req.stream;
    if (!in_stream) {
      log_reply(state, conn, context_error(state, api, n_prompt, context), nullptr, n_prompt);
      return;
    }
  } else if (req.max_tokens && n_prompt + *req.max_tokens > context && traits.checks_max_tokens) {
    log_reply(state, conn, max_tokens_error(state, api, n_prompt, *req.max_tokens, context),
              nullptr, n_prompt);
    return;
  }
  // Status faults: decided per generation request, from the seeded generator.
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  if (state.options.fault_status != 0 && unit(state.rng) < state.options.fault_rate) {
    const int s = state.options.fault_status;
    const std::string msg = s == 429   ? "Too many requests: the server is busy"
                            : s == 503 ? "Service unavailable: the server is overloaded"
                                       : "Internal server error (injected fault)";
    Reply reply = error_reply(state, api, s, msg);
    if (state.options.retry_after_s > 0)
      reply.extra_headers = "Retry-After: " + std::to_string(state.options.retry_after_s) + "\r\n";
    log_reply(state, conn, std::move(reply), "status", n_prompt);
    return;
  }
  StreamSetup setup;
  setup.seed = state.rng();
  setup.reasoning = (api == Api::openai_chat || api == Api::ollama_chat) &&
                    state.model.find("gpt-oss") != std::string::npos;
  const int room = std::max(1, context - n_prompt);
  const int max_tokens = std::min(req.max_tokens.value_or(room), room);
  std::mt19937_64 len_rng(setup.seed);
  const LengthChoice len =
      choose_length(len_rng, state.profile.output_len_mean, state.profile.output_len_sigma,
                    max_tokens, req.min_tokens, req.ignore_eos);
  setup.output_tokens = len.tokens;
  setup.stops = len.stops;
  if (state.options.malformed_rate > 0 && unit(state.rng) < state.options.malformed_rate &&
      req.stream) {
    setup.malformed_at = std::max(1, len.tokens / 2);
  }
  if (n_prompt >= context) {
    setup.error_in_stream = "The input (" + std::to_string(n_prompt) +
                            " tokens) is longer than the model's context length (" +
                            std::to_string(context) + " tokens).";
  }
  setup.info.dialect = traits.dialect;
  setup.info.json_charset = traits.json_charset;
  setup.info.api = api;
  setup.info.model = req.model.empty() ? state.model : req.model;
  setup.info.id = response_id(traits.dialect, api, state.rng);
  setup.info.created = unix_seconds();
  setup.info.include_usage = req.include_usage;
  setup.info.reasoning = setup.reasoning;
  setup.info.prompt_tokens = n_prompt;
  conn.truth().id = state.next_id++;
  setup.request = std::move(req);
  conn.start_stream(std::move(setup));
}

}  // namespace

void route_request(ServerState& state, Connection& conn, HttpRequest& req) {
  const std::string target(req.target());
  const std::string path = target.substr(0, target.find('?'));
  const bool get = req.method() == http::verb::get || req.method() == http::verb::head;
  const bool post = req.method() == http::verb::post;
  const ProfileTraits& traits = state.traits;

  if (post && path == "/v1/chat/completions")
    return generate(state, conn, Api::openai_chat, req.body());
  if (post && path == "/v1/completions")
    return generate(state, conn, Api::openai_completions, req.body());
  if (traits.ollama_api) {
    if (post && path == "/api/chat") return generate(state, conn, Api::ollama_chat, req.body());
    if (post && path == "/api/generate")
      return generate(state, conn, Api::ollama_generate, req.body());
  }
  if (traits.sglang_api && post && path == "/generate") {
    return generate(state, conn, Api::sglang_generate, req.body());
  }
  std::optional<Reply> aux = aux_endpoint(state, path, get, post, req.body());
  conn.reply(aux ? std::move(*aux) : not_found_path(state));
}

}  // namespace servemeter::sim
