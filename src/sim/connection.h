#pragma once
// One accepted HTTP/1.1 connection: Beast's parser reads requests from our own reads, which
// carry the kernel's receive time (stamped_receive.h); responses are written raw with
// asio so that a streamed chunk is exactly one gathered write (chunk-size line, the events,
// CRLF) with no per-event allocation. Keep-alive: the next request is read after a response
// ends. A streamed response is driven either by the Engine (TokenSink) or by its own timer in
// fixed-timing mode (--ttft-ms/--itl-ms).
#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>
#include <optional>
#include <string>

#include "sim/emitter.h"
#include "sim/request.h"
#include "sim/server_state.h"
#include "sim/token_plan.h"
#include "sim/truth_log.h"

namespace servemeter::sim {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;

struct Reply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  bool close = false;         // send Connection: close and close after writing
  std::string extra_headers;  // whole "Name: value\r\n" lines added to the head
};

// Everything a streamed generation needs, decided once when the request is accepted.
struct StreamSetup {
  GenRequest request;
  StreamInfo info;
  int output_tokens = 1;
  bool stops = true;
  bool reasoning = false;
  std::uint64_t seed = 0;
  int malformed_at = -1;        // token index whose event is replaced by a malformed one
  std::string error_in_stream;  // non-empty: 200 + role chunk + error event (SGLang)
};

class Connection : public std::enable_shared_from_this<Connection>, public TokenSink {
 public:
  Connection(boost::asio::ip::tcp::socket socket, ServerState& state);
  ~Connection() override;
  void start() { do_read(); }

  // Called by the router, once per request.
  void reply(Reply r);
  void start_stream(StreamSetup setup);
  TruthRecord& truth() { return truth_; }
  const std::string& client_id() const { return truth_.client_id; }

  void on_engine_token(const TokenEmit& emit) override;

 private:
  void do_read();
  void wait_readable();
  void on_readable(const boost::system::error_code& ec);
  // Feeds bytes already in buffer_ (a pipelined request) to the parser.
  void parse_buffered();
  // Gives `size` bytes to the parser, up to the end of one request; how many it took, or
  // nothing when the bytes are not HTTP (the connection is then closed).
  std::optional<std::size_t> feed_parser(const char* data, std::size_t size);
  // Routes the request if it is whole, else waits for more bytes.
  void after_feed();
  void on_request();
  std::string head(int status, std::string_view content_type, std::size_t length, bool chunked,
                   bool close) const;
  void after_response();
  void close_now();

  // Streaming (stream.cpp).
  void add_tokens(int generated_total, int cached_tokens);
  void flush();
  void on_written(const boost::system::error_code& ec);
  void schedule_fixed_timer();
  void end_stream();
  void abort_stream(const char* fault);
  void collect_nonstream(int generated_total);

  boost::asio::ip::tcp::socket socket_;
  ServerState& state_;
  boost::beast::flat_buffer buffer_;  // bytes read but not parsed yet (usually none)
  std::int64_t last_arrival_ns_ = 0;  // kernel receive time of the newest bytes in buffer_
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  bool keep_alive_ = true;
  // uvicorn (vLLM, SGLang) and llama-server close a keep-alive connection idle for 5 s; Go
  // (Ollama) keeps it. Clients must retry a request that meets a just-closed socket.
  boost::asio::steady_timer idle_timer_;
  bool idle_ = false;  // between a response and the next request
  bool is_head_ = false;
  TruthRecord truth_;

  // Write path: events accumulate in pending_; inflight_ is being written. Swapped, never freed.
  std::string raw_head_;  // HTTP head, sent before the first chunk
  std::string pending_;
  std::string inflight_;
  char chunk_line_[24] = {};
  std::array<boost::asio::const_buffer, 5> bufs_{};  // must outlive the async_write
  bool writing_ = false;
  bool final_in_flight_ = false;

  // Stream state.
  struct Stream;
  std::unique_ptr<Stream> stream_;
};

// The router: answers `req` on `conn` (reply or start_stream). router.cpp.
void route_request(ServerState& state, Connection& conn, HttpRequest& req);

}  // namespace servemeter::sim
