#pragma once
// Incremental text/event-stream framer (WHATWG "server-sent events" parsing rules, data only).
// Bytes arrive split at arbitrary boundaries; each complete event's data is handed to the sink
// with the stamp of the read that completed it (the read holding its terminating blank line).
#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/event_sink.h"

namespace servemeter {

class SseFramer {
 public:
  // Frame `bytes`. An event wholly inside this read is passed as a view into `bytes` (no copy);
  // only events or lines that straddle reads are assembled in the framer's reused buffers.
  void feed(std::string_view bytes, std::int64_t arrival_ns, EventSink sink);
  // The body ended: an event whose data lines were complete but whose blank line never came is
  // still delivered (a server that closes right after its last line did say it); an unterminated
  // line is dropped, since it may be cut mid-JSON.
  void finish(std::int64_t arrival_ns, EventSink sink);
  // True while a partial line or an undelivered event is buffered.
  bool has_pending() const noexcept { return !partial_.empty() || has_data_; }

 private:
  void line(std::string_view text, bool in_read, std::int64_t arrival_ns, EventSink& sink);
  void append_data(std::string_view value, bool in_read);
  void dispatch(std::int64_t arrival_ns, EventSink& sink);

  std::string partial_;         // an unterminated line carried over from earlier reads
  std::string data_;            // the event's data when it could not stay a view
  std::string_view data_view_;  // the event's data while it is one line inside the current read
  bool has_data_ = false;       // at least one data line seen since the last dispatch
  bool data_in_view_ = false;   // the data lives in data_view_, not data_
  bool skip_lf_ = false;        // the last read ended in CR: a leading LF completes that CRLF
};

}  // namespace servemeter
