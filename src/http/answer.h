#pragma once
// What one request attempt got back, whichever transport carried it: the status and content type
// decide where the body goes (the stream parser, or a capped buffer for the adapter's error
// reader), and how the attempt ended decides the record's error. Both transports (curl and the
// plain-HTTP one) feed this, so a request fails the same way on either. Every message it leaves
// in a record is scrubbed of credentials, valid UTF-8 and at most kMaxRecordMessageBytes.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/request_record.h"
#include "http/client_options.h"
#include "protocol/api_adapter.h"

namespace servemeter::http {

inline constexpr std::size_t kMaxRecordMessageBytes = 2048;
// The most header bytes (status line and fields) either transport reads before it gives up on
// the answer as `oversized`; curl has its own limits below this.
inline constexpr std::size_t kMaxHeaderBytes = 1024 * 1024;

// How the transport saw the attempt end.
enum class Ending {
  complete,         // the whole answer arrived
  connect_failed,   // no connection (refused, unreachable, connect timeout, TLS handshake)
  timed_out,        // the request timeout ran out
  stalled,          // no byte for the stall timeout
  transport_error,  // reset, closed early, malformed HTTP…
  oversized_head,   // the head (or a chunk header) went past kMaxHeaderBytes
  abandoned,        // we stopped reading: on_body() said the answer needs no more bytes
  cancelled,        // the user's interrupt cut it (after the grace period)
};

class Answer {
 public:
  // Once, before the first request: the options outlive the Answer.
  void configure(const ClientOptions& options) noexcept { options_ = &options; }
  // A new attempt of the request `record` (a retry starts again from nothing).
  void reset(std::string_view url, StreamParser* parser, const ApiAdapter* adapter,
             RequestRecord* record);

  bool head_seen() const noexcept { return kind_ != Kind::undecided; }
  int status() const noexcept { return status_; }
  // The status line and headers arrived (an empty type or encoding: none was sent).
  void on_head(int status, std::string_view content_type, std::string_view content_encoding);
  // A Retry-After header (seconds or an HTTP date).
  void on_retry_after(std::string_view value);
  // Body bytes (de-chunked), stamped when the read that delivered them returned. False: the
  // answer needs no more bytes (the stream parser gave up on an oversized event); the transport
  // stops reading and ends the attempt as Ending::abandoned.
  bool on_body(std::string_view bytes, std::int64_t arrival_ns);
  // The attempt is over: fill record.end_ns (if unset), http_status and the error. `detail` is
  // the transport's own words, quoted in messages.
  void finish(Ending ending, std::string_view detail, std::int64_t end_ns);

 private:
  enum class Kind { undecided, stream, error_body, bad_payload, compressed };
  void fail(ErrorKind kind, std::string message);
  void clean_message();

  const ClientOptions* options_ = nullptr;
  std::string_view url_;
  StreamParser* parser_ = nullptr;
  const ApiAdapter* adapter_ = nullptr;
  RequestRecord* record_ = nullptr;
  Kind kind_ = Kind::undecided;
  int status_ = 0;
  std::string error_body_;       // non-2xx body / start of a bad 2xx payload; capacity kept
  std::string rejected_header_;  // Content-Type / -Encoding of a rejected 2xx answer
};

}  // namespace servemeter::http
