#pragma once
// Incremental newline-delimited JSON framer (Ollama's native streams): one object per line.
// Bytes arrive split at arbitrary boundaries; each complete line is handed to the sink with the
// stamp of the read that delivered its newline. Blank lines are skipped; a CR before the LF is
// dropped.
#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/event_sink.h"

namespace servemeter {

class NdjsonFramer {
 public:
  // A line wholly inside this read is passed as a view into `bytes` (no copy).
  void feed(std::string_view bytes, std::int64_t arrival_ns, EventSink sink);
  // The body ended: a last line without its newline is still delivered, so the caller can tell a
  // complete final object from one cut short.
  void finish(std::int64_t arrival_ns, EventSink sink);
  bool has_pending() const noexcept { return !partial_.empty(); }

 private:
  static void emit(std::string_view line, std::int64_t arrival_ns, EventSink& sink);

  std::string partial_;  // an unterminated line carried over from earlier reads (reused)
};

}  // namespace servemeter
