#include "protocol/stream_core.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "core/text.h"

namespace servemeter {
namespace {

// A server's error message is kept whole up to this; the HTTP layer cuts records' messages
// shorter still, after scrubbing credentials from the whole text.
constexpr size_t kMaxMessage = 8 * 1024;
// finish_reason is a word ("stop", "length"); anything longer is not worth keeping whole.
constexpr size_t kMaxFinishReason = 64;

// A short printable excerpt of bad bytes for the error message: valid UTF-8, one line.
std::string excerpt(std::string_view bytes) {
  constexpr size_t kMax = 60;
  std::string out = valid_utf8(bytes, kMax);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20) c = '?';
  }
  return out;
}

std::string size_text(std::size_t bytes) {
  std::string text = std::to_string(bytes) + " bytes";
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0) {
    text += " (" + std::to_string(bytes / (1024 * 1024)) + " MiB)";
  } else if (bytes >= 1024 && bytes % 1024 == 0) {
    text += " (" + std::to_string(bytes / 1024) + " KiB)";
  }
  return text;
}

template <class T>
void take(std::optional<T>& into, const std::optional<T>& from) {
  if (from) into = from;
}

}  // namespace

void StreamCore::start(RequestRecord& record) {
  record.output_chars = 0;  // a stream began: its text is counted from here
  if (record.requested_output_tokens > 0 && record.token_event_ns.capacity() == 0) {
    record.token_event_ns.reserve(static_cast<size_t>(record.requested_output_tokens) + 8);
  }
}

void StreamCore::note_head(std::string_view bytes) noexcept {
  const size_t n = std::min(kHead - head_size_, bytes.size());
  std::memcpy(head_ + head_size_, bytes.data(), n);
  head_size_ += n;
}

void StreamCore::apply(const EventFacts& facts, std::int64_t arrival_ns, RequestRecord& record) {
  ++events_;
  if (facts.error) {
    // Keep reading to the end, but the first failure is the one that explains the request.
    if (record.error == ErrorKind::none) {
      record.error = ErrorKind::stream_error;
      record.error_message = facts.error_message.empty()
                                 ? std::string("server sent an error event without a message")
                                 : valid_utf8(facts.error_message, kMaxMessage);
    }
    return;
  }
  if (facts.content_chars + facts.reasoning_chars > 0)
    record.output_chars = std::max<std::int64_t>(record.output_chars, 0) + facts.content_chars +
                          facts.reasoning_chars;
  if (facts.content || facts.reasoning) {
    ++token_events_;
    record.token_event_ns.push_back(arrival_ns);
    if (record.first_token_ns == 0) record.first_token_ns = arrival_ns;
    if (facts.content && record.first_content_ns == 0) record.first_content_ns = arrival_ns;
  }
  // An all-zero usage is Ollama /v1/completions' placeholder on every chunk: not a count.
  if (facts.prompt_tokens > 0 || facts.completion_tokens > 0) {
    if (facts.prompt_tokens >= 0) record.input_tokens = facts.prompt_tokens;
    if (facts.completion_tokens >= 0) {
      record.output_tokens = facts.completion_tokens;
      record.output_tokens_source = TokenCountSource::server;
    }
    if (facts.cached_tokens >= 0) record.cached_tokens = facts.cached_tokens;
    if (facts.reasoning_tokens >= 0) record.reasoning_tokens = facts.reasoning_tokens;
  }
  if (!facts.finish_reason.empty()) {
    // Decoded by simdjson, so valid UTF-8; only its length needs a bound.
    if (facts.finish_reason.size() <= kMaxFinishReason) [[likely]] {
      record.finish_reason.assign(facts.finish_reason);
    } else {
      record.finish_reason = valid_utf8(facts.finish_reason, kMaxFinishReason);
    }
  }
  ServerTiming& timing = record.server_timing;
  take(timing.prompt_ms, facts.timing.prompt_ms);
  take(timing.predicted_ms, facts.timing.predicted_ms);
  take(timing.total_ms, facts.timing.total_ms);
  take(timing.load_ms, facts.timing.load_ms);
  take(timing.cache_n, facts.timing.cache_n);
  if (facts.done) done_ = true;
}

void StreamCore::bad_payload(std::string_view payload, std::string_view why, bool at_end,
                             RequestRecord& record) {
  if (record.error != ErrorKind::none) return;
  if (at_end) {
    record.error = ErrorKind::truncated;
    record.error_message = "stream ended inside an event (no " + std::string(end_marker_) +
                           "); last bytes: '" + excerpt(payload) + "'";
    return;
  }
  record.error = ErrorKind::bad_payload;
  record.error_message = "stream event " + std::to_string(events_ + 1) + " is not valid JSON (" +
                         std::string(why) + "): '" + excerpt(payload) + "'";
}

void StreamCore::oversized(std::size_t limit, RequestRecord& record) {
  if (record.error != ErrorKind::none) return;
  record.error = ErrorKind::oversized;
  record.error_message = std::string(what_) + " of the stream grew past " + size_text(limit) +
                         " without ending, after " + std::to_string(events_) +
                         " events; the bound is --max-event-bytes (raise it if the server's "
                         "events are legitimately this long)";
}

void StreamCore::finish(std::int64_t end_ns, RequestRecord& record) {
  if (record.end_ns == 0) record.end_ns = end_ns;
  if (!done_ && record.error == ErrorKind::none) {
    record.error = ErrorKind::truncated;
    record.error_message = "stream ended without " + std::string(end_marker_) + " after " +
                           std::to_string(events_) + " events (" +
                           std::to_string(record.bytes_received) + " bytes)";
    if (events_ == 0 && head_size_ > 0) {
      record.error_message += "; the body starts '" + excerpt({head_, head_size_}) + "'";
    }
  }
  if (record.output_tokens_source == TokenCountSource::none) {
    record.output_tokens = token_events_;
    record.output_tokens_source = TokenCountSource::chunk_count;
  }
}

}  // namespace servemeter
