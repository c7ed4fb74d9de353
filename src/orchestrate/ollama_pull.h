#pragma once
// Ollama serves only the models it has pulled. Before a run the model is looked up in
// GET /api/tags and, when missing, pulled through POST /api/pull {"model", "stream": true}, whose
// NDJSON answer reports progress: {"status":"pulling <digest>","digest","total","completed"}
// lines, then "verifying sha256 digest", "writing manifest", "success" (or an {"error"} line).
#include <csignal>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

#include "http/tls_options.h"

namespace servemeter {

struct PullEvent {
  std::string status;  // "pulling manifest", "pulling e7b273f96360", "success", …
  std::string digest;
  std::optional<std::int64_t> total, completed;  // bytes of this layer
  std::string error;                             // an {"error": …} line, or an unreadable one
};

// One NDJSON line; nullopt for a blank one.
std::optional<PullEvent> parse_pull_line(std::string_view line);

// Turns events into the lines worth showing: each new status, and a layer's progress every 10%.
class PullProgress {
 public:
  std::optional<std::string> on_event(const PullEvent& event);

 private:
  std::string status_;
  int shown_decile_ = -1;
};

// "13.8 GB", "7.1 kB": decimal units, as Ollama prints them.
std::string byte_size(std::int64_t bytes);

struct PullOptions {
  std::string api_key;
  http::TlsOptions tls;
  std::ostream* progress = nullptr;                  // progress lines go here
  const volatile std::sig_atomic_t* stop = nullptr;  // an interrupt ends the pull
  long stall_timeout_s = 300;                        // no byte for this long ends it
};

struct PullResult {
  bool ok = false;
  bool already_present = false;  // listed by /api/tags: nothing pulled
  std::string message;           // failure: what went wrong and what to do
};

// Makes sure `model` is on the Ollama server at `base_url`: listed, or pulled now.
PullResult ensure_ollama_model(const std::string& base_url, const std::string& model,
                               const PullOptions& options = {});

}  // namespace servemeter
