#include "sim/connection.h"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>

#include "core/clock.h"
#include "sim/stamped_receive.h"
#include "sim/stream_state.h"

namespace servemeter::sim {
namespace {

namespace http = boost::beast::http;

const char* reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Unknown";
  }
}

// RFC 7231 date, formatted at most once a second.
const std::string& http_date() {
  thread_local std::string cached;  // per server thread: several servers may share a process
  thread_local std::time_t second = 0;
  const std::time_t now = std::time(nullptr);
  if (now != second) {
    second = now;
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[64];
    cached.assign(buf, std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm));
  }
  return cached;
}

}  // namespace

Connection::Connection(boost::asio::ip::tcp::socket socket, ServerState& state)
    : socket_(std::move(socket)), state_(state), idle_timer_(socket_.get_executor()) {
  boost::system::error_code ignored;
  socket_.set_option(boost::asio::ip::tcp::no_delay(true), ignored);
}

Connection::~Connection() = default;

void Connection::do_read() {
  parser_.emplace();
  parser_->body_limit(64 * 1024 * 1024);
  parser_->eager(true);
  if (buffer_.size() > 0) {  // a pipelined request already read
    boost::asio::post(socket_.get_executor(),
                      [self = shared_from_this()] { self->parse_buffered(); });
    return;
  }
  // Read at once, as asio's own reads do: a new connection's request is usually there already,
  // and waiting for epoll to say so would cost a loop turn per request in a burst.
  on_readable({});
}

void Connection::wait_readable() {
  socket_.async_wait(
      boost::asio::ip::tcp::socket::wait_read,
      [self = shared_from_this()](const boost::system::error_code& ec) { self->on_readable(ec); });
}

void Connection::on_readable(const boost::system::error_code& ec) {
  if (ec) {
    close_now();
    return;
  }
  // Reads land in the server's one shared buffer, after whatever the parser left last time
  // (part of a header): a burst of new connections then allocates and touches no fresh
  // per-connection memory, which cost more than parsing the request.
  constexpr std::size_t kReadSize = 64 * 1024;
  const std::size_t carried = buffer_.size();
  std::vector<char>& shared = state_.read_buffer;
  if (shared.size() < carried + kReadSize) shared.resize(carried + kReadSize);
  if (carried > 0) std::memcpy(shared.data(), buffer_.data().data(), carried);
  const StampedRead read =
      receive_stamped(socket_.native_handle(), shared.data() + carried, shared.size() - carried);
  if (read.bytes < 0 &&
      (read.error == EAGAIN || read.error == EWOULDBLOCK || read.error == EINTR)) {
    wait_readable();
    return;
  }
  if (read.bytes <= 0) {  // the client closed, or the socket failed
    close_now();
    return;
  }
  last_arrival_ns_ = read.arrival_ns;
  buffer_.consume(carried);
  const std::size_t total = carried + static_cast<std::size_t>(read.bytes);
  const std::optional<std::size_t> used = feed_parser(shared.data(), total);
  if (!used) return;
  if (*used < total) {
    const std::size_t rest = total - *used;
    std::memcpy(buffer_.prepare(rest).data(), shared.data() + *used, rest);
    buffer_.commit(rest);
  }
  after_feed();
}

void Connection::parse_buffered() {
  const auto data = buffer_.data();
  const std::optional<std::size_t> used =
      feed_parser(static_cast<const char*>(data.data()), data.size());
  if (!used) return;
  buffer_.consume(*used);
  after_feed();
}

std::optional<std::size_t> Connection::feed_parser(const char* data, std::size_t size) {
  std::size_t used = 0;
  while (used < size && !parser_->is_done()) {
    boost::system::error_code ec;
    used += parser_->put(boost::asio::const_buffer(data + used, size - used), ec);
    if (ec == http::error::need_more) break;
    if (ec) {  // not HTTP, or over a limit: like uvicorn, drop the connection
      close_now();
      return std::nullopt;
    }
  }
  return used;
}

void Connection::after_feed() {
  if (parser_->is_done()) {
    on_request();
  } else {
    wait_readable();
  }
}

void Connection::on_request() {
  idle_ = false;
  idle_timer_.cancel();
  HttpRequest req = parser_->release();
  keep_alive_ = req.keep_alive();
  is_head_ = req.method() == http::verb::head;
  truth_ = TruthRecord{};
  truth_.arrival_ns = last_arrival_ns_;
  truth_.read_ns = monotonic_ns();
  if (auto it = req.find("X-Request-Id"); it != req.end()) {
    truth_.client_id = std::string(it->value());
  }
  route_request(state_, *this, req);
}

std::string Connection::head(int status, std::string_view content_type, std::size_t length,
                             bool chunked, bool close) const {
  const HeaderStyle style = state_.traits.headers;
  std::string h = "HTTP/1.1 " + std::to_string(status) + " " + reason_phrase(status) + "\r\n";
  if (style == HeaderStyle::uvicorn) {  // lower-case names
    h += "date: " + http_date() + "\r\nserver: uvicorn\r\n";
    if (!chunked) h += "content-length: " + std::to_string(length) + "\r\n";
    h += "content-type: ";
    h += content_type;
    h += "\r\n";
    if (chunked) h += "transfer-encoding: chunked\r\n";
    if (close) h += "connection: close\r\n";
  } else {
    if (style == HeaderStyle::httplib)
      h += "Server: llama.cpp\r\nAccess-Control-Allow-Origin: \r\n";
    h += "Content-Type: ";
    h += content_type;
    h += "\r\nDate: " + http_date() + "\r\n";
    if (!chunked) h += "Content-Length: " + std::to_string(length) + "\r\n";
    if (chunked) h += "Transfer-Encoding: chunked\r\n";
    if (close) {
      h += "Connection: close\r\n";
    } else if (style == HeaderStyle::httplib) {
      h += "Keep-Alive: timeout=5, max=100\r\n";
    }
  }
  // Not sent by any real server: lets servemeter label every result against the simulator as
  // simulated, and report its figures in model time.
  h += state_.simulated_headers;
  h += "\r\n";
  return h;
}

void Connection::reply(Reply r) {
  if (r.close) keep_alive_ = false;
  inflight_ = head(r.status, r.content_type, r.body.size(), false, !keep_alive_);
  inflight_.insert(inflight_.size() - 2, r.extra_headers);  // before the head's blank line
  if (!is_head_) inflight_ += r.body;
  truth_.status = r.status;
  writing_ = true;
  boost::asio::async_write(
      socket_, boost::asio::buffer(inflight_),
      [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
        self->writing_ = false;
        if (ec) {
          self->close_now();
          return;
        }
        self->after_response();
      });
}

void Connection::after_response() {
  if (keep_alive_) {
    if (state_.traits.idle_timeout) {
      idle_ = true;
      idle_timer_.expires_after(std::chrono::seconds(5));
      idle_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
        // The pending read then fails and the connection ends.
        if (!ec && self->idle_) self->close_now();
      });
    }
    do_read();
  } else {
    boost::system::error_code ignored;
    socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
    close_now();
  }
}

void Connection::close_now() {
  boost::system::error_code ignored;
  socket_.close(ignored);
}

}  // namespace servemeter::sim
