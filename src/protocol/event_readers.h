#pragma once
// One reader per wire dialect: it walks an event's top-level object once, in whatever key order
// the server used, and fills EventFacts. Readers throw simdjson::simdjson_error on malformed JSON.
#include <simdjson.h>

#include <string>

#include "protocol/event_facts.h"

namespace servemeter {

using JsonObject = simdjson::ondemand::object;

// OpenAI chat and completion chunks as vLLM, SGLang, Ollama /v1 and llama.cpp write them:
// choices[0].delta.{content, reasoning_content | reasoning} or choices[0].text, finish_reason,
// usage (also on chunks that still have choices), llama.cpp timings, and error events.
struct OpenAiReader {
  void read(JsonObject event, EventFacts& facts);
};

// Ollama native /api/chat (message.{content, thinking}) and /api/generate (response, thinking)
// lines: done, done_reason, eval counts and ns durations on the done line, {"error": "…"} lines.
struct OllamaReader {
  void read(JsonObject event, EventFacts& facts);
};

// SGLang native /generate: `text` is cumulative by default (the whole text so far) and a delta
// with --incremental-streaming-output. The reader tells them apart on the fly: as long as each
// text extends the previous one it is read as cumulative (an event is a token when the text
// grew); the first text that does not is proof of incremental mode (a token when non-empty).
struct SglangGenerateReader {
  void read(JsonObject event, EventFacts& facts);

  bool incremental = false;  // proven incremental; starts as "cumulative so far"
  std::string previous;      // the previous cumulative text, raw JSON escapes kept (reused)

 private:
  void read_text(std::string_view raw_text, EventFacts& facts);
};

}  // namespace servemeter
