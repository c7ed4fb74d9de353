#include "http/answer.h"

#include <algorithm>
#include <span>

#include "core/secrets.h"
#include "core/text.h"
#include "http/content_type.h"
#include "http/retry_after.h"

namespace servemeter::http {
namespace {

constexpr std::size_t kErrorBodyCap = 64 * 1024;  // enough for any server's error JSON
constexpr std::size_t kBadPayloadSnippet = 512;   // enough to recognise an HTML page
constexpr std::size_t kHeaderValueExcerpt = 100;

bool is_identity(std::string_view encoding) {
  return encoding.empty() || encoding == "identity";
}

std::span<const std::string> secrets_of(const ClientOptions* options) {
  if (options == nullptr || options->api_key.empty()) return {};
  return {&options->api_key, 1};
}

}  // namespace

void Answer::reset(std::string_view url, StreamParser* parser, const ApiAdapter* adapter,
                   RequestRecord* record) {
  url_ = url;
  parser_ = parser;
  adapter_ = adapter;
  record_ = record;
  kind_ = Kind::undecided;
  status_ = 0;
  error_body_.clear();
  rejected_header_.clear();
  record->bytes_received = 0;
  record->retry_after_s.reset();
  if (parser != nullptr && options_ != nullptr)
    parser->set_max_event_bytes(options_->max_event_bytes);
}

void Answer::on_head(int status, std::string_view content_type, std::string_view content_encoding) {
  status_ = status;
  if (status < 200 || status >= 300) {
    kind_ = Kind::error_body;
  } else if (!content_type.empty() && !is_streamable_content_type(content_type)) {
    kind_ = Kind::bad_payload;
    rejected_header_.assign(content_type);
  } else if (!is_identity(content_encoding)) [[unlikely]] {
    // We never send Accept-Encoding; a compressed stream cannot be framed (and a proxy that
    // compresses may also buffer, which would falsify every timing).
    kind_ = Kind::compressed;
    rejected_header_.assign(content_encoding.substr(0, kHeaderValueExcerpt));
  } else {
    kind_ = Kind::stream;
  }
}

void Answer::on_retry_after(std::string_view value) {
  record_->retry_after_s = parse_retry_after(value);
}

bool Answer::on_body(std::string_view bytes, std::int64_t arrival_ns) {
  switch (kind_) {
    case Kind::stream:
      // The parser counts what it is handed (StreamParser's contract).
      parser_->on_bytes(bytes, arrival_ns, *record_);
      return !parser_->gave_up();
    case Kind::error_body:
    case Kind::bad_payload:
    case Kind::compressed: {
      record_->bytes_received += static_cast<std::int64_t>(bytes.size());
      const std::size_t cap = kind_ == Kind::error_body ? kErrorBodyCap : kBadPayloadSnippet;
      const std::size_t room = cap - std::min(cap, error_body_.size());
      error_body_.append(bytes.substr(0, room));
      return true;
    }
    case Kind::undecided:
      break;
  }
  return true;
}

void Answer::fail(ErrorKind kind, std::string message) {
  record_->error = kind;
  record_->error_message = std::move(message);
}

void Answer::clean_message() {
  std::string& message = record_->error_message;
  if (message.empty()) return;
  // Scrub the whole text first, so that the cut cannot leave half a secret behind.
  scrub_secrets(message, secrets_of(options_));
  message = valid_utf8(message, kMaxRecordMessageBytes);
}

void Answer::finish(Ending ending, std::string_view detail, std::int64_t end_ns) {
  RequestRecord& record = *record_;
  if (record.end_ns == 0) record.end_ns = end_ns;
  record.http_status = status_;
  const bool out_of_time = ending == Ending::timed_out || ending == Ending::stalled;
  auto timeout_message = [&] {
    return std::string(ending == Ending::stalled ? "stalled (no bytes for the stall timeout) on "
                                                 : "request timeout exceeded on ") +
           std::string(url_) + ": " + std::string(detail);
  };
  auto oversized_head_message = [&] {
    return "the response head from " + std::string(url_) + " is too large (" + std::string(detail) +
           ")";
  };

  if (ending == Ending::cancelled) {
    if (kind_ == Kind::stream) parser_->on_end(record.end_ns, record);
    const bool answer_complete = kind_ == Kind::stream && record.error == ErrorKind::none;
    if (!answer_complete) {
      fail(ErrorKind::cancelled, "cancelled by the user's interrupt after " +
                                     std::to_string(record.token_event_ns.size()) +
                                     " token events from " + std::string(url_));
    }
    clean_message();
    return;
  }
  switch (kind_) {
    case Kind::undecided:  // no answer at all
      if (ending == Ending::connect_failed) {
        fail(ErrorKind::connect,
             "cannot connect to " + std::string(url_) + ": " + std::string(detail));
      } else if (out_of_time) {
        fail(ErrorKind::timeout, timeout_message());
      } else if (ending == Ending::oversized_head) {
        fail(ErrorKind::oversized, oversized_head_message());
      } else {
        fail(ErrorKind::truncated,
             "no response from " + std::string(url_) + ": " + std::string(detail));
      }
      break;
    case Kind::stream:
      parser_->on_end(record.end_ns, record);
      if (ending == Ending::complete || ending == Ending::abandoned) break;
      if (out_of_time && record.error != ErrorKind::stream_error &&
          record.error != ErrorKind::oversized) {
        fail(ErrorKind::timeout, timeout_message());
      } else if (ending == Ending::oversized_head &&
                 (record.error == ErrorKind::none || record.error == ErrorKind::truncated)) {
        fail(ErrorKind::oversized, oversized_head_message());
      } else if (record.error == ErrorKind::truncated) {
        record.error_message += " (transport: " + std::string(detail) + ")";
      }
      // Otherwise the API's end marker arrived before the transport failed: the answer is whole.
      break;
    case Kind::error_body:
      // An echoed Authorization header must not reach the adapter's message whole.
      scrub_secrets(error_body_, secrets_of(options_));
      if (adapter_ != nullptr) {
        adapter_->record_http_error(status_, error_body_, record);
      } else {
        fail(ErrorKind::http_status, "HTTP " + std::to_string(status_) + ": " + error_body_);
      }
      // The kind follows the status whatever the adapter said (429, 5xx, 4xx, other).
      record.error = error_kind_for_status(status_);
      break;
    case Kind::bad_payload:
      fail(ErrorKind::bad_payload,
           "server answered HTTP " + std::to_string(status_) + " with Content-Type '" +
               rejected_header_.substr(0, kHeaderValueExcerpt) + "' from " + std::string(url_) +
               " (expected text/event-stream or JSON; wrong port or a proxy?); body starts: " +
               valid_utf8(error_body_, 200));
      break;
    case Kind::compressed:
      fail(ErrorKind::bad_payload,
           "the server compressed the stream unasked (Content-Encoding: " + rejected_header_ +
               ") from " + std::string(url_) +
               ": servemeter sends no Accept-Encoding and reads streams as they are; turn "
               "response compression off on the server or the proxy in front of it");
      break;
  }
  clean_message();
}

}  // namespace servemeter::http
