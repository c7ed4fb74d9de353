#pragma once
// The rules every API shares once an event has been read (DESIGN.md "Metric definitions"):
// which events are tokens, which stamps become TTFT/TTFC, which server count wins, first error
// wins, and what the end of the body means.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/request_record.h"
#include "protocol/event_facts.h"

namespace servemeter {

class StreamCore {
 public:
  // `end_marker` names the API's end signal for messages ("[DONE]", "done:true"); `what` the
  // unit the framing bounds ("an SSE line or event", "an NDJSON line").
  StreamCore(std::string_view end_marker, std::string_view what)
      : end_marker_(end_marker), what_(what) {}

  // Once per request, before its first bytes: size token_event_ns for the expected tokens so the
  // hot path does not reallocate it.
  void start(RequestRecord& record);
  void apply(const EventFacts& facts, std::int64_t arrival_ns, RequestRecord& record);
  // An event that is not JSON (or not the expected shape). `at_end`: it was the unterminated tail
  // of a body that ended, so the body was cut (truncated) rather than malformed.
  void bad_payload(std::string_view payload, std::string_view why, bool at_end,
                   RequestRecord& record);
  // A line or event grew past `limit` bytes without ending: the request is `oversized`.
  void oversized(std::size_t limit, RequestRecord& record);
  // Keeps the body's first bytes, so a body with no events at all (an HTML page, a non-streamed
  // JSON answer) can be shown in the truncation message.
  void note_head(std::string_view bytes) noexcept;
  void mark_done() noexcept { done_ = true; }
  bool done() const noexcept { return done_; }
  // The body ended: truncated if no end marker came (and nothing failed before), chunk-count
  // fallback (flagged) if the server never sent a count.
  void finish(std::int64_t end_ns, RequestRecord& record);

 private:
  static constexpr size_t kHead = 64;
  std::string_view end_marker_;
  std::string_view what_;
  char head_[kHead] = {};
  size_t head_size_ = 0;
  std::int64_t events_ = 0;        // JSON events read
  std::int64_t token_events_ = 0;  // of which token-bearing
  bool done_ = false;
};

}  // namespace servemeter
