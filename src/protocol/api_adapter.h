#pragma once
// One adapter per serving API: how to build the request and how to read its stream. Chosen once
// per run; the parser it makes is fed raw bytes on the hot path and fills the RequestRecord.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/request_record.h"

namespace servemeter {

struct GenerationRequest {
  std::string model;
  std::string system_prompt;  // empty: none
  std::string prompt;         // the user message (chat) or the prompt (completion APIs)
  int max_tokens = 256;
  // Ask the server for exactly max_tokens (ignore_eos + min_tokens for vLLM/SGLang/llama.cpp,
  // options.num_predict for Ollama) so frameworks are compared on equal work.
  bool exact_output_length = true;
  double temperature = 0.0;
  std::optional<int>
      context_length;  // Ollama options.num_ctx (Ollama truncates silently otherwise)
};

struct HttpRequestSpec {
  std::string path;  // e.g. "/v1/chat/completions"
  std::string body;  // JSON
};

class StreamParser {
 public:
  virtual ~StreamParser() = default;
  // Bytes of a 2xx response body as they arrive; `arrival_ns` was stamped when the read that
  // delivered them completed, before any parsing.
  // The body must already be de-chunked (HTTP chunked transfer coding removed) and uncompressed.
  // Any split is fine; the bytes need not outlive the call. Adds to record.bytes_received.
  virtual void on_bytes(std::string_view bytes, std::int64_t arrival_ns, RequestRecord& record) = 0;
  // The body ended (cleanly or not). Sets `truncated` if the API's end marker never came, and
  // falls back to chunk counting (flagged) when the server sent no token count.
  // Call exactly once, also after a timeout or a dropped connection (set that error first: an
  // error already recorded is never overwritten). Sets record.end_ns if it is still 0.
  virtual void on_end(std::int64_t end_ns, RequestRecord& record) = 0;
};

class ApiAdapter {
 public:
  virtual ~ApiAdapter() = default;
  virtual std::string_view name() const = 0;
  virtual HttpRequestSpec build_request(const GenerationRequest& request) const = 0;
  // One parser per request (it holds that stream's framing state). A parser may move between
  // threads but is used by one at a time; adapters are immutable and shared freely.
  virtual std::unique_ptr<StreamParser> new_parser() const = 0;
  // A non-2xx answer: fill error kind http_status and a message from the server's error body
  // (vLLM/llama.cpp/Ollama-/v1 nested, SGLang flat, Ollama string, FastAPI detail; non-JSON
  // bodies are quoted). Pass the whole body, de-chunked.
  virtual void record_http_error(int status, std::string_view body, RequestRecord& record) const;
};

// "openai-chat", "openai-completions", "ollama-chat", "ollama-generate", "sglang-generate";
// nullptr for an unknown name.
std::unique_ptr<ApiAdapter> make_adapter(std::string_view api);
// The names make_adapter accepts, for error messages.
std::string_view known_apis();

}  // namespace servemeter
