#pragma once
// One virtual user's HTTP/1.1 exchange over plain TCP, on the EventLoop, without curl: its own
// keep-alive connection, the request written with one sendmsg, the answer read into a buffer
// that all transfers of the loop share and parsed there by Boost.Beast's incremental response
// parser. http:// URLs go this way because curl 7.88 spent more CPU per request and per read
// than parsing every event's JSON does (bench/client_bench); https:// stays on curl.
//
// Timing contract (DESIGN.md): send_ns is stamped right before the request's first byte is
// written on a connected socket; an arrival stamp is taken as soon as recv() returns, before
// any parsing.
#include <netinet/in.h>
#include <sys/socket.h>

#include <boost/beast/http/basic_parser.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "http/answer.h"
#include "http/client_options.h"
#include "http/event_loop.h"
#include "http/http_client.h"
#include "http/keep_alive.h"

namespace servemeter::http {

// An http:// URL, resolved once per client.
struct PlainTarget {
  struct Address {
    sockaddr_storage storage{};
    socklen_t size = 0;
  };
  std::vector<Address> addresses;  // in resolver order; tried in turn until one connects
  std::string host;                // Host header: as in the URL, with its port
  std::string path;                // path and query, at least "/"
  KeepAliveHabit habit = KeepAliveHabit::unknown;  // keep_alive.h
};

// What the response parser reads, handed on as it reads it. The plain transport implements it;
// so does the fuzz target that drives the parsing path with bytes alone
// (fuzz/fuzz_http_response.cpp).
class ResponseEvents {
 public:
  virtual void on_status(int code) = 0;
  virtual void on_content_type(std::string_view type) = 0;
  virtual void on_content_encoding(std::string_view encoding) = 0;
  virtual void on_retry_after(std::string_view value) = 0;
  virtual void on_head_done() = 0;
  // Body bytes (de-chunked); false: the answer needs no more, stop reading.
  virtual bool on_body(std::string_view bytes) = 0;

 protected:
  ~ResponseEvents() = default;
};

// Beast's incremental response parser, calling back into ResponseEvents.
class ResponseParser final : public boost::beast::http::basic_parser<false> {
 public:
  explicit ResponseParser(ResponseEvents& events);

 private:
  using error_code = boost::beast::error_code;
  using string_view = boost::beast::string_view;
  void on_request_impl(boost::beast::http::verb, string_view, string_view, int,
                       error_code&) override {}
  void on_response_impl(int code, string_view reason, int version, error_code& ec) override;
  void on_field_impl(boost::beast::http::field name, string_view name_string, string_view value,
                     error_code& ec) override;
  void on_header_impl(error_code& ec) override;
  void on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) override {}
  std::size_t on_body_impl(string_view body, error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t remain, string_view body, error_code& ec) override;
  void on_finish_impl(error_code&) override {}

  ResponseEvents& events_;
};

// How far one read took the parser.
enum class ParseProgress { need_more, done, failed };
// Feeds the `size` bytes at `data` to `parser`; `used` becomes the bytes it took (the rest, part
// of a header or chunk-size line, must come again in front of the next read). On `failed`, `ec`
// says why.
ParseProgress parse_read(ResponseParser& parser, const char* data, std::size_t size,
                         std::size_t& used, boost::beast::error_code& ec);

class PlainTransfer final : private FdHandler, private TimerHandler, private ResponseEvents {
 public:
  // `read_buffer` is shared by every transfer on `loop` (one thread): reads land in the same
  // few cache-warm KiB whatever the number of connections, as in wrk. Only the unparsed tail
  // of a read (part of a header or chunk-size line) is kept per transfer.
  PlainTransfer(HttpClient& owner, EventLoop& loop, const ClientOptions& options,
                std::vector<char>& read_buffer);
  ~PlainTransfer() override;  // closes its connection, drops its timer
  PlainTransfer(const PlainTransfer&) = delete;
  PlainTransfer& operator=(const PlainTransfer&) = delete;

  // Send `spec` to `target` (which must outlive the transfer), on the kept connection if there
  // is one. Never completes synchronously: a failure to even start is reported from
  // run_pending().
  void start(const TransferSpec& spec, PlainTarget& target);
  // Fail a request whose URL could not be used (reported from run_pending()).
  void start_failed(const TransferSpec& spec, std::string why);
  // Finish an attempt that failed while starting, or whose deadline (connect, request, stall)
  // has passed at `now`.
  void run_pending(std::int64_t now);
  bool in_flight() const noexcept { return state_ != State::idle; }
  // End the request in flight now, as cancelled (the user's interrupt); closes the connection.
  void cancel();
  // start() could not even begin (or failed at once): run_pending() must report it now.
  bool failed_to_start() const noexcept { return state_ == State::start_failed; }

 private:
  enum class State { idle, start_failed, settling, connecting, sending, receiving };

  void on_fd_ready(int fd, std::uint32_t epoll_events) override;
  void on_timer(std::uint64_t tag, std::int64_t due_ns, std::int64_t fired_ns) override;
  void begin_attempt();
  // Whether the server keeps connections is not known yet and this one's only answer ended a
  // moment ago: wait (until kSettleNs after the answer) for the server's close before writing
  // into it. About once per target; ends in settled().
  bool must_settle() const;
  void settle();
  void settled(bool closed);
  // Drop the kept connection (nothing was sent on it: not a retry) and connect afresh.
  void reconnect();
  void defer(Ending ending, std::string_view why);
  void connect_now();
  // The connect to address `address_index_` failed: try the next one, or fail the request.
  void connect_failed(std::string why);
  void on_connected();
  // A kept connection is still open and quiet (nothing arrived on it since its last answer).
  bool kept_connection_alive();
  // The server closed our kept connection (seen at `now`): learn whether it closes every one.
  void closed_while_kept(std::int64_t now);
  void send_request();
  void continue_send();
  void receive();
  bool feed(const char* data, std::size_t size);  // false: the transfer completed
  void on_closed_by_peer(int error);
  void watch(std::uint32_t events);
  void close_connection();
  bool may_retry_stale() const;
  void retry_on_fresh_connection();
  // End this request: fill the record, keep or close the connection, tell the owner. The last
  // thing the transfer does in any call chain.
  void complete(Ending ending, std::string_view detail);

  void on_status(int code) override { status_ = code; }
  void on_content_type(std::string_view type) override { content_type_.assign(type); }
  void on_content_encoding(std::string_view encoding) override {
    content_encoding_.assign(encoding);
  }
  void on_retry_after(std::string_view value) override { answer_.on_retry_after(value); }
  void on_head_done() override { answer_.on_head(status_, content_type_, content_encoding_); }
  bool on_body(std::string_view bytes) override {
    if (answer_.on_body(bytes, arrival_ns_)) [[likely]]
      return true;
    abandoned_ = true;
    return false;
  }

  HttpClient& owner_;
  EventLoop& loop_;
  const ClientOptions& options_;
  TransferSpec spec_;
  PlainTarget* target_ = nullptr;
  Answer answer_;
  std::optional<ResponseParser> parser_;
  State state_ = State::idle;
  int fd_ = -1;
  std::uint32_t watched_ = 0;  // epoll interest registered for fd_ (0: none)
  bool reused_ = false;        // this attempt runs on a kept connection
  bool retried_ = false;       // the stale-connection retry was spent
  bool starting_ = false;      // inside start(): completion must wait for run_pending()
  bool bytes_this_attempt_ = false;
  bool abandoned_ = false;  // the answer said it needs no more bytes
  int status_ = 0;
  std::string content_type_;
  std::string content_encoding_;     // empty: none (the usual case)
  int answers_on_connection_ = 0;    // complete answers the current connection carried
  std::int64_t last_answer_ns_ = 0;  // when the last of them completed
  std::uint64_t settle_tag_ = 0;     // the settle timer that still counts
  std::string pending_error_;        // State::start_failed: why
  Ending pending_ending_ = Ending::connect_failed;
  std::string head_;             // request line + headers, rebuilt per request (capacity kept)
  std::size_t sent_ = 0;         // bytes of head_ + body written so far
  std::int64_t started_ns_ = 0;  // start(): the request timeout counts from here
  std::int64_t connect_started_ns_ = 0;
  std::size_t address_index_ = 0;
  std::int64_t last_activity_ns_ = 0;  // stall timeout counts from here
  std::int64_t arrival_ns_ = 0;        // stamp of the read being parsed
  std::vector<char>& read_buffer_;     // shared; holds nothing between reads
  std::string carry_;                  // received bytes the parser has not taken yet
};

}  // namespace servemeter::http
