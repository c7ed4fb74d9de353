#pragma once
// A StreamParser = a framer (SSE or NDJSON) + an API reader + the shared stream rules. Both parts
// are template parameters, chosen once when the adapter makes the parser, so nothing is decided
// per event and the framer-to-reader path has no virtual calls.
#include <simdjson.h>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>

#include "core/text.h"
#include "protocol/api_adapter.h"
#include "protocol/json_event.h"
#include "protocol/sse_framer.h"
#include "protocol/stream_core.h"

namespace servemeter {

template <class Framer, class Reader>
class FramedParser final : public StreamParser {
 public:
  static constexpr bool kSse = std::is_same_v<Framer, SseFramer>;

  FramedParser()
      : core_(kSse ? "data: [DONE]" : "a \"done\":true line",
              kSse ? "an SSE line or event" : "an NDJSON line") {}

  void on_bytes(std::string_view bytes, std::int64_t arrival_ns, RequestRecord& record) override {
    if (!started_) {
      core_.start(record);
      framer_.set_max_bytes(max_event_bytes_);
      started_ = true;
    }
    if (record.bytes_received < 64) core_.note_head(bytes);
    record.bytes_received += static_cast<std::int64_t>(bytes.size());
    last_arrival_ns_ = arrival_ns;
    read_ = bytes;
    const bool within_bound = framer_.feed(
        bytes, arrival_ns,
        [&](std::string_view payload, std::int64_t stamp) { event(payload, stamp, record); });
    read_ = {};
    if (!within_bound) [[unlikely]] {
      core_.oversized(max_event_bytes_, record);
      gave_up_ = true;
    }
  }

  void on_end(std::int64_t end_ns, RequestRecord& record) override {
    at_end_ = true;
    framer_.finish(last_arrival_ns_, [&](std::string_view payload, std::int64_t stamp) {
      event(payload, stamp, record);
    });
    core_.finish(end_ns, record);
  }

  Reader& reader() noexcept { return reader_; }
  const Framer& framer() const noexcept { return framer_; }

 private:
  void event(std::string_view payload, std::int64_t arrival_ns, RequestRecord& record) {
    if (core_.done()) return;  // nothing after the end marker belongs to this response
    if constexpr (kSse) {
      if (payload == "[DONE]") {
        core_.mark_done();
        return;
      }
    }
    if (payload.empty()) return;  // an empty SSE data field: nothing to read
    EventFacts facts;
    try {
      simdjson::ondemand::document& doc = parse_event_json(payload, readable_from(payload));
      // simdjson 3.0 has no document::at_end(), so bytes after the object go unnoticed; servers
      // never send them and the framing would have split them off anyway.
      reader_.read(doc.get_object().value(), facts);
    } catch (const simdjson::simdjson_error& error) {
      if (error.error() == simdjson::UTF8_ERROR) {
        read_repaired(payload, arrival_ns, record);
      } else {
        core_.bad_payload(payload, simdjson::error_message(error.error()), at_end_, record);
      }
      return;
    }
    core_.apply(facts, arrival_ns, record);
  }

  // simdjson refuses a whole document that is not UTF-8 (a server that cut a multi-byte
  // character, or sent another charset). Rather than lose the request's timing, a copy with
  // U+FFFD for the bad bytes is read and the record is flagged. Rare, so it may allocate.
  void read_repaired(std::string_view payload, std::int64_t arrival_ns, RequestRecord& record) {
    const std::string repaired = valid_utf8(payload, std::numeric_limits<std::size_t>::max());
    EventFacts facts;
    try {
      simdjson::ondemand::document& doc = parse_event_json(repaired, repaired.size());
      reader_.read(doc.get_object().value(), facts);
    } catch (const simdjson::simdjson_error& error) {
      core_.bad_payload(repaired, simdjson::error_message(error.error()), at_end_, record);
      return;
    }
    record.flags |= kFlagInvalidUtf8;
    core_.apply(facts, arrival_ns, record);
  }

  // Bytes readable from `payload` on: to the end of the current read when the payload lies in it.
  size_t readable_from(std::string_view payload) const noexcept {
    const auto begin = reinterpret_cast<std::uintptr_t>(read_.data());
    const auto end = begin + read_.size();
    const auto p = reinterpret_cast<std::uintptr_t>(payload.data());
    if (begin != 0 && p >= begin && p + payload.size() <= end) return end - p;
    return payload.size();
  }

  Framer framer_;
  Reader reader_;
  std::string_view read_;  // the read being framed, while on_bytes runs
  StreamCore core_;
  std::int64_t last_arrival_ns_ = 0;
  bool started_ = false;
  bool at_end_ = false;
};

}  // namespace servemeter
