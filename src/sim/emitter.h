#pragma once
// Stream emitters: one per wire format, each writing the exact event shapes of its server (key
// order, nulls, separators) as recorded in shared/fixtures/wire. Chosen once per request; on
// the hot path they only append pre-formatted pieces and the token's (JSON-safe) text to the
// caller's buffer, so a token event costs a few memcpy and no allocation.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sim/profile_traits.h"
#include "sim/token_plan.h"

namespace servemeter::sim {

enum class Api : std::uint8_t {
  openai_chat,
  openai_completions,
  ollama_chat,      // /api/chat
  ollama_generate,  // /api/generate
  sglang_generate,  // /generate
};

struct StreamInfo {
  Dialect dialect = Dialect::vllm;  // the server whose events and bodies to imitate
  bool json_charset = false;        // JSON bodies say "; charset=utf-8"
  Api api = Api::openai_chat;
  std::string model;
  std::string id;  // response id in the profile's format
  std::int64_t created = 0;
  bool include_usage = false;
  bool reasoning = false;
  int prompt_tokens = 0;
};

// What the request ended with; durations are model time (already multiplied by --time-scale).
struct FinishInfo {
  FinishReason reason = FinishReason::stop;
  int prompt_tokens = 0;
  int completion_tokens = 0;
  int cached_tokens = 0;
  int reasoning_tokens = 0;
  std::int64_t total_ns = 0;
  std::int64_t load_ns = 0;
  std::int64_t prompt_eval_ns = 0;
  std::int64_t eval_ns = 0;
  const std::vector<std::uint32_t>* context = nullptr;  // Ollama /api/generate `context`
};

struct TokenEvent {
  TokenKind kind = TokenKind::content;
  std::string_view text;
  std::uint32_t id = 0;
  int generated = 0;  // tokens so far, this one included (1 = the first)
  bool last = false;
  FinishReason reason = FinishReason::stop;  // meaningful when last
  int cached_tokens = 0;
  const FinishInfo* finish = nullptr;  // set when last (SGLang /generate needs it in-event)
};

class StreamEmitter {
 public:
  virtual ~StreamEmitter() = default;
  virtual std::string_view content_type() const = 0;
  // One generated token: appends zero or more events. Returns the number of token-bearing
  // events appended (text of content or reasoning), for TTFT stamping.
  virtual int token(std::string& out, const TokenEvent& ev) = 0;
  // After the last token: closing events (finish chunk, usage, [DONE], done line).
  virtual void finish(std::string& out, const FinishInfo& info) = 0;
  // An error after the stream started (the HTTP status is already 200).
  virtual void error(std::string& out, std::string_view message) = 0;
  // A deliberately broken event (fault injection): truncated JSON, framed like a real event.
  virtual void malformed(std::string& out) = 0;
};

std::unique_ptr<StreamEmitter> make_emitter(const StreamInfo& info);

// Helpers shared by the emitters.
std::string json_string(std::string_view s);  // quoted, escaped
std::string json_double(double v);            // shortest round-trip form
std::int64_t unix_seconds();
std::string rfc3339_nano_utc();  // Ollama created_at: trailing zeros of the fraction trimmed

std::unique_ptr<StreamEmitter> make_openai_emitter(const StreamInfo& info);  // vLLM, SGLang
std::unique_ptr<StreamEmitter> make_compat_emitter(
    const StreamInfo& info);  // Ollama /v1, llama.cpp
std::unique_ptr<StreamEmitter> make_native_emitter(const StreamInfo& info);  // NDJSON, /generate

}  // namespace servemeter::sim
