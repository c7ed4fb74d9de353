#pragma once
// What one request attempt got back, whichever transport carried it: the status and content type
// decide where the body goes (the stream parser, or a capped buffer for the adapter's error
// reader), and how the attempt ended decides the record's error. Both transports (curl and the
// plain-HTTP one) feed this, so a request fails the same way on either.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/request_record.h"
#include "protocol/api_adapter.h"

namespace servemeter::http {

// How the transport saw the attempt end.
enum class Ending {
  complete,         // the whole answer arrived
  connect_failed,   // no connection (refused, unreachable, connect timeout, TLS handshake)
  timed_out,        // the request timeout ran out
  stalled,          // no byte for the stall timeout
  transport_error,  // reset, closed early, malformed HTTP…
  cancelled,        // the user's interrupt cut it (after the grace period)
};

class Answer {
 public:
  // A new attempt of the request `record` (a retry starts again from nothing).
  void reset(std::string_view url, StreamParser* parser, const ApiAdapter* adapter,
             RequestRecord* record);

  bool head_seen() const noexcept { return kind_ != Kind::undecided; }
  int status() const noexcept { return status_; }
  // The status line and Content-Type arrived (an empty type: none was sent).
  void on_head(int status, std::string_view content_type);
  // Body bytes (de-chunked), stamped when the read that delivered them returned.
  void on_body(std::string_view bytes, std::int64_t arrival_ns);
  // The attempt is over: fill record.end_ns (if unset), http_status and the error. `detail` is
  // the transport's own words, quoted in messages.
  void finish(Ending ending, std::string_view detail, std::int64_t end_ns);

 private:
  enum class Kind { undecided, stream, error_body, bad_payload };
  void fail(ErrorKind kind, std::string message);

  std::string_view url_;
  StreamParser* parser_ = nullptr;
  const ApiAdapter* adapter_ = nullptr;
  RequestRecord* record_ = nullptr;
  Kind kind_ = Kind::undecided;
  int status_ = 0;
  std::string error_body_;    // non-2xx body / start of a bad 2xx payload; capacity kept
  std::string content_type_;  // of a rejected 2xx answer, for the message
};

}  // namespace servemeter::http
