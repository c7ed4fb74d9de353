#pragma once
// Invariants of a RequestRecord filled from hostile bytes, shared by the stream and HTTP targets.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include "core/request_record.h"
#include "fuzz_reads.h"

namespace servemeter::fuzz {

inline bool same_value(const std::optional<double>& a, const std::optional<double>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || *a == *b || (std::isnan(*a) && std::isnan(*b));
}

// Everything the bytes decide, whatever the read boundaries were: all but the time stamps (and
// the error message, unless `with_message`).
inline bool same_outcome(const RequestRecord& a, const RequestRecord& b, bool with_message = true) {
  const ServerTiming& ta = a.server_timing;
  const ServerTiming& tb = b.server_timing;
  return a.error == b.error && (!with_message || a.error_message == b.error_message) &&
         a.http_status == b.http_status && a.bytes_received == b.bytes_received &&
         a.input_tokens == b.input_tokens && a.output_tokens == b.output_tokens &&
         a.cached_tokens == b.cached_tokens && a.reasoning_tokens == b.reasoning_tokens &&
         a.output_tokens_source == b.output_tokens_source && a.finish_reason == b.finish_reason &&
         a.token_event_ns.size() == b.token_event_ns.size() &&
         (a.first_token_ns == 0) == (b.first_token_ns == 0) &&
         (a.first_content_ns == 0) == (b.first_content_ns == 0) &&
         same_value(ta.prompt_ms, tb.prompt_ms) && same_value(ta.predicted_ms, tb.predicted_ms) &&
         same_value(ta.total_ms, tb.total_ms) && same_value(ta.load_ms, tb.load_ms) &&
         ta.cache_n == tb.cache_n;
}

inline void print_record(const char* label, const RequestRecord& r) {
  std::fprintf(stderr,
               "%s: error=%s message='%s' http_status=%d bytes=%lld tokens in=%lld out=%lld "
               "(source %d) token_events=%zu finish_reason='%s'\n",
               label, std::string(to_string(r.error)).c_str(), r.error_message.c_str(),
               r.http_status, static_cast<long long>(r.bytes_received),
               static_cast<long long>(r.input_tokens), static_cast<long long>(r.output_tokens),
               static_cast<int>(r.output_tokens_source), r.token_event_ns.size(),
               r.finish_reason.c_str());
}

// The same outcome from differently cut reads, or abort() showing both.
inline void check_same_outcome(const RequestRecord& split, const RequestRecord& whole,
                               bool with_message = true) {
  if (same_outcome(split, whole, with_message)) return;
  print_record("cut into reads", split);
  print_record("in one read", whole);
  fail("the record depends on where the reads were cut");
}

// A finished record whose arrival stamps all lie in [1, last_stamp].
inline void check_finished_record(const RequestRecord& r, std::int64_t last_stamp) {
  check(r.end_ns != 0, "end_ns not set after the end");
  check((r.error == ErrorKind::none) == r.error_message.empty(),
        "an error without a message, or a message without an error");
  const auto& tokens = r.token_event_ns;
  check(std::is_sorted(tokens.begin(), tokens.end()), "token_event_ns not in arrival order");
  check(std::all_of(tokens.begin(), tokens.end(),
                    [&](std::int64_t t) { return t >= 1 && t <= last_stamp; }),
        "a token stamp that no read had");
  check(r.first_token_ns == (tokens.empty() ? 0 : tokens.front()),
        "first_token_ns is not the first token event's stamp");
  check(r.first_content_ns == 0 ||
            std::find(tokens.begin(), tokens.end(), r.first_content_ns) != tokens.end(),
        "first_content_ns is not a token event's stamp");
  if (r.output_tokens_source == TokenCountSource::chunk_count) {
    check(r.output_tokens == static_cast<std::int64_t>(tokens.size()),
          "chunk-counted output_tokens differs from the token events");
  }
}

}  // namespace servemeter::fuzz
