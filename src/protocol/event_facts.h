#pragma once
// What one stream event said, in API-neutral terms. An API's reader fills it from the JSON; the
// stream core applies it to the RequestRecord. Keeping the two apart lets every API share one set
// of rules (what counts as a token, which count wins, first error wins).
#include <cstdint>
#include <string_view>

#include "core/request_record.h"

namespace servemeter {

struct EventFacts {
  bool content = false;  // carries non-empty answer text
  // Characters (code points) of the event's answer and reasoning text; a text the server mirrors
  // in two fields (vLLM's reasoning/reasoning_content) counts once.
  std::int64_t content_chars = 0;
  std::int64_t reasoning_chars = 0;
  bool reasoning = false;  // carries non-empty reasoning text
  bool done = false;       // the API's in-band end marker (Ollama "done":true)
  bool error = false;      // a top-level error object or string
  // Views into the JSON parser's buffers: valid only until the next event is parsed.
  std::string_view error_message;
  std::string_view finish_reason;  // empty: not in this event
  // Server token counts; -1: not in this event.
  std::int64_t prompt_tokens = -1;
  std::int64_t completion_tokens = -1;
  std::int64_t cached_tokens = -1;
  std::int64_t reasoning_tokens = -1;
  ServerTiming timing;  // only the fields this event carried are set
};

}  // namespace servemeter
