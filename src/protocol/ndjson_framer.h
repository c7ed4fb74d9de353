#pragma once
// Incremental newline-delimited JSON framer (Ollama's native streams): one object per line.
// Bytes arrive split at arbitrary boundaries; each complete line is handed to the sink with the
// stamp of the read that delivered its newline. Blank lines are skipped; a CR before the LF is
// dropped.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/event_sink.h"

namespace servemeter {

class NdjsonFramer {
 public:
  // No line may grow past `max_bytes` (default: no bound); see feed().
  void set_max_bytes(std::size_t max_bytes) noexcept { max_bytes_ = max_bytes; }
  // A line wholly inside this read is passed as a view into `bytes` (no copy). Returns false
  // once a line has grown past the bound: the framer then lets its buffer go and ignores
  // everything after (it is overflowed for good).
  bool feed(std::string_view bytes, std::int64_t arrival_ns, EventSink sink);
  // The body ended: a last line without its newline is still delivered, so the caller can tell a
  // complete final object from one cut short.
  void finish(std::int64_t arrival_ns, EventSink sink);
  bool has_pending() const noexcept { return !partial_.empty(); }
  bool overflowed() const noexcept { return overflowed_; }
  // Bytes held between reads: never more than the bound.
  std::size_t buffered_bytes() const noexcept { return partial_.size(); }

 private:
  static void emit(std::string_view line, std::int64_t arrival_ns, EventSink& sink);
  bool overflow();

  std::string partial_;  // an unterminated line carried over from earlier reads (reused)
  bool overflowed_ = false;
  std::size_t max_bytes_ = static_cast<std::size_t>(-1);
};

}  // namespace servemeter
