#include "http/answer.h"

#include <algorithm>

#include "http/content_type.h"

namespace servemeter::http {
namespace {

constexpr std::size_t kErrorBodyCap = 64 * 1024;  // enough for any server's error JSON
constexpr std::size_t kBadPayloadSnippet = 512;   // enough to recognise an HTML page

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
  content_type_.clear();
  record->bytes_received = 0;
}

void Answer::on_head(int status, std::string_view content_type) {
  status_ = status;
  if (status < 200 || status >= 300) {
    kind_ = Kind::error_body;
  } else if (!content_type.empty() && !is_streamable_content_type(content_type)) {
    kind_ = Kind::bad_payload;
    content_type_.assign(content_type);
  } else {
    kind_ = Kind::stream;
  }
}

void Answer::on_body(std::string_view bytes, std::int64_t arrival_ns) {
  switch (kind_) {
    case Kind::stream:
      // The parser counts what it is handed (StreamParser's contract).
      parser_->on_bytes(bytes, arrival_ns, *record_);
      break;
    case Kind::error_body:
    case Kind::bad_payload: {
      record_->bytes_received += static_cast<std::int64_t>(bytes.size());
      const std::size_t cap = kind_ == Kind::error_body ? kErrorBodyCap : kBadPayloadSnippet;
      const std::size_t room = cap - std::min(cap, error_body_.size());
      error_body_.append(bytes.substr(0, room));
      break;
    }
    case Kind::undecided:
      break;
  }
}

void Answer::fail(ErrorKind kind, std::string message) {
  record_->error = kind;
  record_->error_message = std::move(message);
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

  if (ending == Ending::cancelled) {
    if (kind_ == Kind::stream) parser_->on_end(record.end_ns, record);
    const bool answer_complete = kind_ == Kind::stream && record.error == ErrorKind::none;
    if (!answer_complete) {
      fail(ErrorKind::cancelled, "cancelled by the user's interrupt after " +
                                     std::to_string(record.token_event_ns.size()) +
                                     " token events from " + std::string(url_));
    }
    return;
  }
  if (kind_ == Kind::undecided) {  // no answer at all
    if (ending == Ending::connect_failed) {
      fail(ErrorKind::connect,
           "cannot connect to " + std::string(url_) + ": " + std::string(detail));
    } else if (out_of_time) {
      fail(ErrorKind::timeout, timeout_message());
    } else {
      fail(ErrorKind::truncated,
           "no response from " + std::string(url_) + ": " + std::string(detail));
    }
    return;
  }
  switch (kind_) {
    case Kind::stream:
      parser_->on_end(record.end_ns, record);
      if (ending == Ending::complete) break;
      if (out_of_time && record.error != ErrorKind::stream_error) {
        fail(ErrorKind::timeout, timeout_message());
      } else if (record.error == ErrorKind::truncated) {
        record.error_message += " (transport: " + std::string(detail) + ")";
      }
      // Otherwise the API's end marker arrived before the transport failed: the answer is whole.
      break;
    case Kind::error_body:
      if (adapter_ != nullptr) {
        adapter_->record_http_error(status_, error_body_, record);
      } else {
        fail(ErrorKind::http_status, "HTTP " + std::to_string(status_) + ": " + error_body_);
      }
      if (record.error == ErrorKind::none) record.error = ErrorKind::http_status;
      break;
    case Kind::bad_payload:
      fail(ErrorKind::bad_payload, "server answered HTTP " + std::to_string(status_) +
                                       " with Content-Type '" + content_type_ + "' from " +
                                       std::string(url_) +
                                       " (expected text/event-stream or JSON; wrong port or a "
                                       "proxy?); body starts: " +
                                       error_body_.substr(0, 200));
      break;
    case Kind::undecided:
      break;
  }
}

}  // namespace servemeter::http
