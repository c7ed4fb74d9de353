#include "sim/connection.h"

#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <chrono>
#include <ctime>

#include "core/clock.h"
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
  http::async_read(socket_, buffer_, *parser_,
                   [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                     self->on_read(ec);
                   });
}

void Connection::on_read(const boost::system::error_code& ec) {
  idle_ = false;
  idle_timer_.cancel();
  if (ec) {
    close_now();
    return;
  }
  const std::int64_t arrival = monotonic_ns();
  HttpRequest req = parser_->release();
  keep_alive_ = req.keep_alive();
  is_head_ = req.method() == http::verb::head;
  truth_ = TruthRecord{};
  truth_.arrival_ns = arrival;
  if (auto it = req.find("X-Request-Id"); it != req.end()) {
    truth_.client_id = std::string(it->value());
  }
  route_request(state_, *this, req);
}

std::string Connection::head(int status, std::string_view content_type, std::size_t length,
                             bool chunked, bool close) const {
  const std::string& p = state_.profile.name;
  std::string h = "HTTP/1.1 " + std::to_string(status) + " " + reason_phrase(status) + "\r\n";
  if (p == "vllm" || p == "sglang") {  // uvicorn: lower-case names
    h += "date: " + http_date() + "\r\nserver: uvicorn\r\n";
    if (!chunked) h += "content-length: " + std::to_string(length) + "\r\n";
    h += "content-type: ";
    h += content_type;
    h += "\r\n";
    if (chunked) h += "transfer-encoding: chunked\r\n";
    if (close) h += "connection: close\r\n";
  } else {
    if (p == "llamacpp") h += "Server: llama.cpp\r\nAccess-Control-Allow-Origin: \r\n";
    h += "Content-Type: ";
    h += content_type;
    h += "\r\nDate: " + http_date() + "\r\n";
    if (!chunked) h += "Content-Length: " + std::to_string(length) + "\r\n";
    if (chunked) h += "Transfer-Encoding: chunked\r\n";
    if (close) {
      h += "Connection: close\r\n";
    } else if (p == "llamacpp") {
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
    if (state_.profile.name != "ollama") {
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
