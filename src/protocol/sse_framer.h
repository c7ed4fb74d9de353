#pragma once
// Incremental text/event-stream framer (WHATWG "server-sent events" parsing rules, data only).
// Bytes arrive split at arbitrary boundaries; each complete event's data is handed to the sink
// with the stamp of the read that completed it (the read holding its terminating blank line).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/event_sink.h"

namespace servemeter {

class SseFramer {
 public:
  // No line and no event's data (its data lines joined) may grow past `max_bytes` (default: no
  // bound); see feed().
  void set_max_bytes(std::size_t max_bytes) noexcept { max_bytes_ = max_bytes; }
  // Frame `bytes`. An event wholly inside this read is passed as a view into `bytes` (no copy);
  // only events or lines that straddle reads are assembled in the framer's reused buffers.
  // Returns false once a line or an event has grown past the bound: the framer then lets its
  // buffers go and ignores everything after (it is overflowed for good).
  bool feed(std::string_view bytes, std::int64_t arrival_ns, EventSink sink);
  // The body ended: an event whose data lines were complete but whose blank line never came is
  // still delivered (a server that closes right after its last line did say it); an unterminated
  // line is dropped, since it may be cut mid-JSON.
  void finish(std::int64_t arrival_ns, EventSink sink);
  // True while a partial line or an undelivered event is buffered.
  bool has_pending() const noexcept { return !partial_.empty() || has_data_; }
  bool overflowed() const noexcept { return overflowed_; }
  // Bytes held between reads: never more than the bound.
  std::size_t buffered_bytes() const noexcept { return partial_.size() + data_.size(); }

 private:
  bool line(std::string_view text, bool in_read, std::int64_t arrival_ns, EventSink& sink);
  bool append_data(std::string_view value, bool in_read);
  void dispatch(std::int64_t arrival_ns, EventSink& sink);
  bool overflow();

  std::string partial_;         // an unterminated line carried over from earlier reads
  std::string data_;            // the event's data when it could not stay a view
  std::string_view data_view_;  // the event's data while it is one line inside the current read
  bool has_data_ = false;       // at least one data line seen since the last dispatch
  bool data_in_view_ = false;   // the data lives in data_view_, not data_
  bool skip_lf_ = false;        // the last read ended in CR: a leading LF completes that CRLF
  bool overflowed_ = false;
  std::size_t max_bytes_ = static_cast<std::size_t>(-1);
};

}  // namespace servemeter
