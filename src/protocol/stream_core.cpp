#include "protocol/stream_core.h"

#include <algorithm>
#include <cstring>
#include <string>

namespace servemeter {
namespace {

// A short printable excerpt of bad bytes for the error message.
std::string excerpt(std::string_view bytes) {
  constexpr size_t kMax = 60;
  std::string out;
  for (char c : bytes.substr(0, kMax)) {
    out.push_back(static_cast<unsigned char>(c) < 0x20 ? '?' : c);
  }
  if (bytes.size() > kMax) out += "...";
  return out;
}

template <class T>
void take(std::optional<T>& into, const std::optional<T>& from) {
  if (from) into = from;
}

}  // namespace

void StreamCore::start(RequestRecord& record) {
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
                                 : std::string(facts.error_message);
    }
    return;
  }
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
  if (!facts.finish_reason.empty()) record.finish_reason.assign(facts.finish_reason);
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
