#pragma once
// One adapter per serving API: how to build the request and how to read its stream. Chosen once
// per run; the parser it makes is fed raw bytes on the hot path and fills the RequestRecord.
#include <cstddef>
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

// The longest SSE line, SSE event (its data lines joined) or NDJSON line a stream parser holds
// before it fails the request as `oversized` (--max-event-bytes). The largest legitimate events
// are SGLang /generate's cumulative ones, which repeat the whole text so far: 128k output tokens
// are about 0.5 MiB of text, 1 MiB with JSON escapes, so 4 MiB leaves room; a hostile or broken
// server sending one endless line costs at most this much memory per stream.
inline constexpr std::size_t kDefaultMaxEventBytes = 4 * 1024 * 1024;

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

  // The bound on one line or event (kDefaultMaxEventBytes unless set); set it before the first
  // bytes. A longer one fails the request as `oversized` and the parser gives up.
  void set_max_event_bytes(std::size_t bytes) noexcept { max_event_bytes_ = bytes; }
  std::size_t max_event_bytes() const noexcept { return max_event_bytes_; }
  // The parser needs no more bytes (an oversized event): the transport may stop reading.
  bool gave_up() const noexcept { return gave_up_; }

 protected:
  std::size_t max_event_bytes_ = kDefaultMaxEventBytes;
  bool gave_up_ = false;
};

class ApiAdapter {
 public:
  virtual ~ApiAdapter() = default;
  virtual std::string_view name() const = 0;
  virtual HttpRequestSpec build_request(const GenerationRequest& request) const = 0;
  // One parser per request (it holds that stream's framing state). A parser may move between
  // threads but is used by one at a time; adapters are immutable and shared freely.
  virtual std::unique_ptr<StreamParser> new_parser() const = 0;
  // A non-2xx answer: fill the error kind for the status (error_kind_for_status: rate_limited,
  // server_error, client_error or http_status) and a message from the server's error body
  // (vLLM/llama.cpp/Ollama-/v1 nested, SGLang flat, Ollama string, FastAPI detail; non-JSON
  // bodies are quoted). Pass the whole body, de-chunked. The message is valid UTF-8 and bounded.
  virtual void record_http_error(int status, std::string_view body, RequestRecord& record) const;
};

// "openai-chat", "openai-completions", "ollama-chat", "ollama-generate", "sglang-generate";
// nullptr for an unknown name.
std::unique_ptr<ApiAdapter> make_adapter(std::string_view api);
// The names make_adapter accepts, for error messages.
std::string_view known_apis();

}  // namespace servemeter
