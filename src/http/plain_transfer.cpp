#include "http/plain_transfer.h"

#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/uio.h>
#include <unistd.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <limits>

#include "core/clock.h"

namespace servemeter::http {
namespace {

namespace bhttp = boost::beast::http;

constexpr std::size_t kPlainReadSize = 64 * 1024;  // most one recv() takes

std::string errno_text(int error) {
  return std::strerror(error);
}

void append_number(std::string& out, std::uint64_t value) {
  char digits[24];
  const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, end);
}

}  // namespace

ResponseParser::ResponseParser(ResponseEvents& events) : events_(events) {
  // A stream is as long as it is (the request timeout bounds it). Not boost::none: Boost 1.74
  // then reports "body limit exceeded" for every body with a length.
  body_limit(std::numeric_limits<std::uint64_t>::max());
  header_limit(static_cast<std::uint32_t>(kMaxHeaderBytes));  // Beast's default is 8 KiB
  eager(true);  // hand over body bytes as soon as they are here
}

void ResponseParser::on_response_impl(int code, string_view, int, error_code&) {
  events_.on_status(code);
}

void ResponseParser::on_field_impl(bhttp::field name, string_view, string_view value, error_code&) {
  const std::string_view text(value.data(), value.size());
  switch (name) {
    case bhttp::field::content_type:
      events_.on_content_type(text);
      break;
    case bhttp::field::content_encoding:
      events_.on_content_encoding(text);
      break;
    case bhttp::field::retry_after:
      events_.on_retry_after(text);
      break;
    default:
      break;  // Connection: close is Beast's keep_alive()
  }
}

void ResponseParser::on_header_impl(error_code&) {
  events_.on_head_done();
}

std::size_t ResponseParser::on_body_impl(string_view body, error_code& ec) {
  if (!events_.on_body(std::string_view(body.data(), body.size()))) [[unlikely]]
    ec = bhttp::error::body_limit;  // stops the parser; the transfer knows it was us
  return body.size();
}

std::size_t ResponseParser::on_chunk_body_impl(std::uint64_t, string_view body, error_code& ec) {
  if (!events_.on_body(std::string_view(body.data(), body.size()))) [[unlikely]]
    ec = bhttp::error::body_limit;
  return body.size();
}

ParseProgress parse_read(ResponseParser& parser, const char* data, std::size_t size,
                         std::size_t& used, boost::beast::error_code& ec) {
  used = 0;
  while (used < size) {
    ec = {};
    const std::size_t n = parser.put(boost::asio::const_buffer(data + used, size - used), ec);
    used += n;
    if (ec == bhttp::error::need_more) break;
    if (ec) return ParseProgress::failed;
    if (parser.is_done()) return ParseProgress::done;
    if (n == 0) break;
  }
  ec = {};
  return ParseProgress::need_more;
}

PlainTransfer::PlainTransfer(HttpClient& owner, EventLoop& loop, const ClientOptions& options,
                             std::vector<char>& read_buffer)
    : owner_(owner), loop_(loop), options_(options), read_buffer_(read_buffer) {
  answer_.configure(options);
}

PlainTransfer::~PlainTransfer() {
  close_connection();
  loop_.cancel_timers(this);
}

void PlainTransfer::start(const TransferSpec& spec, PlainTarget& target) {
  spec_ = spec;
  if (&target != target_) close_connection();  // a kept connection serves one target only
  target_ = &target;
  retried_ = false;
  started_ns_ = monotonic_ns();
  starting_ = true;
  begin_attempt();
  starting_ = false;
}

void PlainTransfer::start_failed(const TransferSpec& spec, std::string why) {
  spec_ = spec;
  close_connection();
  target_ = nullptr;
  started_ns_ = monotonic_ns();
  answer_.reset(spec_.url, spec_.parser, spec_.adapter, spec_.record);
  defer(Ending::connect_failed, why);
}

void PlainTransfer::defer(Ending ending, std::string_view why) {
  state_ = State::start_failed;
  pending_ending_ = ending;
  pending_error_.assign(why);
}

void PlainTransfer::begin_attempt() {
  answer_.reset(spec_.url, spec_.parser, spec_.adapter, spec_.record);
  parser_.reset();
  carry_.clear();
  status_ = 0;
  content_type_.clear();
  content_encoding_.clear();
  bytes_this_attempt_ = false;
  abandoned_ = false;
  if (fd_ >= 0 && !kept_connection_alive()) close_connection();  // not a retry: nothing was sent
  reused_ = fd_ >= 0;
  address_index_ = 0;
  if (!reused_) {
    connect_now();
  } else if (must_settle()) [[unlikely]] {
    settle();
  } else {
    send_request();
  }
}

bool PlainTransfer::must_settle() const {
  return target_->habit == KeepAliveHabit::unknown && answers_on_connection_ == 1 &&
         monotonic_ns() - last_answer_ns_ < kSettleNs;
}

void PlainTransfer::settle() {
  state_ = State::settling;
  watch(EPOLLIN | EPOLLRDHUP);
  loop_.schedule_at(last_answer_ns_ + kSettleNs, this, ++settle_tag_);
}

void PlainTransfer::on_timer(std::uint64_t tag, std::int64_t, std::int64_t) {
  if (state_ != State::settling || tag != settle_tag_) return;  // settled already
  settled(!kept_connection_alive());
}

void PlainTransfer::settled(bool closed) {
  ++settle_tag_;  // the timer, if still pending, no longer counts
  if (closed) {
    closed_while_kept(monotonic_ns());
    reconnect();
    return;
  }
  // Quiet for the whole wait: this server keeps its connections (a later prompt close would
  // still teach otherwise).
  if (target_->habit == KeepAliveHabit::unknown) target_->habit = KeepAliveHabit::keeps;
  send_request();
}

void PlainTransfer::reconnect() {
  close_connection();
  reused_ = false;
  connect_now();
  if (state_ == State::start_failed && !starting_) {
    const std::string why = pending_error_;
    complete(pending_ending_, why);
  }
}

void PlainTransfer::connect_now() {
  const PlainTarget::Address& address = target_->addresses[address_index_];
  fd_ = ::socket(address.storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) {
    defer(Ending::connect_failed, "socket(): " + errno_text(errno));
    return;
  }
  owner_.note_new_connection();
  answers_on_connection_ = 0;
  const int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (address_index_ == 0) connect_started_ns_ = monotonic_ns();
  last_activity_ns_ = monotonic_ns();
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address.storage), address.size) == 0) {
    send_request();
    return;
  }
  if (errno != EINPROGRESS) {
    connect_failed(errno_text(errno));
    return;
  }
  state_ = State::connecting;
  watch(EPOLLOUT);
}

void PlainTransfer::connect_failed(std::string why) {
  close_connection();
  // "localhost" resolves to ::1 and 127.0.0.1; a server listening on one of them is still found.
  if (address_index_ + 1 < target_->addresses.size()) {
    ++address_index_;
    connect_now();
    return;
  }
  complete(Ending::connect_failed, why);
}

void PlainTransfer::on_connected() {
  int error = 0;
  socklen_t size = sizeof error;
  ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &size);
  if (error != 0) {
    connect_failed(errno_text(error));
    return;
  }
  send_request();
}

bool PlainTransfer::kept_connection_alive() {
  // The server may have closed the connection since its last answer (FIN or RST already
  // here): writing into it would fail and cost a retry. One non-blocking peek per reuse.
  // Closed, or bytes nobody asked for: either way it cannot carry a request.
  if (peek_idle(fd_) == IdlePeek::quiet) [[likely]]
    return true;
  closed_while_kept(monotonic_ns());
  return false;
}

void PlainTransfer::closed_while_kept(std::int64_t now) {
  learn_from_close(target_->habit, answers_on_connection_, last_answer_ns_, now);
}

void PlainTransfer::send_request() {
  const PlainTarget& target = *target_;
  head_.clear();
  head_ += "POST ";
  head_ += target.path;
  head_ += " HTTP/1.1\r\nHost: ";
  head_ += target.host;
  head_ += "\r\nAccept: */*\r\nContent-Type: application/json\r\nX-Request-Id: ";
  append_number(head_, spec_.record->id);
  if (!options_.api_key.empty()) {
    head_ += "\r\nAuthorization: Bearer ";
    head_ += options_.api_key;
  }
  head_ += "\r\nContent-Length: ";
  append_number(head_, spec_.body.size());
  head_ += "\r\n\r\n";
  sent_ = 0;
  parser_.emplace(static_cast<ResponseEvents&>(*this));
  state_ = State::sending;
  // DESIGN.md's t0: on a connected socket, immediately before the first byte is written.
  spec_.record->send_ns = monotonic_ns();
  last_activity_ns_ = spec_.record->send_ns;
  continue_send();
}

void PlainTransfer::continue_send() {
  const std::size_t total = head_.size() + spec_.body.size();
  while (sent_ < total) {
    iovec parts[2];
    int count = 0;
    if (sent_ < head_.size()) {
      parts[count++] = {head_.data() + sent_, head_.size() - sent_};
      parts[count++] = {const_cast<char*>(spec_.body.data()), spec_.body.size()};
    } else {
      const std::size_t offset = sent_ - head_.size();
      parts[count++] = {const_cast<char*>(spec_.body.data()) + offset, spec_.body.size() - offset};
    }
    msghdr message{};
    message.msg_iov = parts;
    message.msg_iovlen = static_cast<std::size_t>(count);
    const ssize_t n = ::sendmsg(fd_, &message, MSG_NOSIGNAL);
    if (n >= 0) {
      sent_ += static_cast<std::size_t>(n);
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      watch(EPOLLOUT | EPOLLIN);  // EPOLLIN: an early answer (e.g. 413) or a close
      return;
    }
    on_closed_by_peer(errno);
    return;
  }
  state_ = State::receiving;
  watch(EPOLLIN);
}

void PlainTransfer::on_fd_ready(int, std::uint32_t epoll_events) {
  switch (state_) {
    case State::idle:
      // A kept connection said something while no request was on it: the server closed it
      // (or sent junk). Either way it cannot carry the next request.
      closed_while_kept(monotonic_ns());
      close_connection();
      return;
    case State::start_failed:
      return;
    case State::settling:
      settled(/*closed=*/true);  // the server closed it (or sent something unasked)
      return;
    case State::connecting:
      on_connected();
      return;
    case State::sending:
      if ((epoll_events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0) {
        receive();  // the server answered (or closed) before taking the whole body
        return;
      }
      continue_send();
      return;
    case State::receiving:
      receive();
      return;
  }
}

void PlainTransfer::receive() {
  for (;;) {
    // What the parser left of the last read goes first; only a header (or chunk-size line)
    // longer than a read makes this more than a few bytes.
    const std::size_t carried = carry_.size();
    if (carried >= kMaxHeaderBytes) [[unlikely]] {
      close_connection();
      complete(Ending::oversized_head, "over 1 MiB of header or chunk-size line");
      return;
    }
    if (read_buffer_.size() < carried + kPlainReadSize)
      read_buffer_.resize(carried + kPlainReadSize);
    char* data = read_buffer_.data();
    if (carried > 0) std::memcpy(data, carry_.data(), carried);
    const std::size_t room = read_buffer_.size() - carried;
    const ssize_t n = ::recv(fd_, data + carried, room, 0);
    if (n > 0) {
      arrival_ns_ = monotonic_ns();  // first thing: bytes arrived, before parsing
      last_activity_ns_ = arrival_ns_;
      bytes_this_attempt_ = true;
      carry_.clear();
      if (!feed(data, carried + static_cast<std::size_t>(n))) return;
      if (static_cast<std::size_t>(n) < room) return;  // drained: epoll says when there is more
      continue;
    }
    if (n == 0) {
      on_closed_by_peer(0);
      return;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return;
    on_closed_by_peer(errno);
    return;
  }
}

bool PlainTransfer::feed(const char* data, std::size_t size) {
  std::size_t used = 0;
  boost::beast::error_code ec;
  switch (parse_read(*parser_, data, size, used, ec)) {
    case ParseProgress::failed:
      close_connection();
      if (abandoned_) {
        complete(Ending::abandoned, "stopped reading");
      } else if (ec == bhttp::error::header_limit) {
        complete(Ending::oversized_head, "over 1 MiB of header");
      } else {
        complete(Ending::transport_error, "malformed HTTP response: " + ec.message());
      }
      return false;
    case ParseProgress::done:
      // Reusable only if the server wants it, sent nothing extra, and took our whole request
      // (an early answer, e.g. 413, can come while the body is still going out).
      if (!parser_->keep_alive() || used < size || state_ == State::sending) close_connection();
      complete(Ending::complete, "");
      return false;
    case ParseProgress::need_more:
      break;
  }
  carry_.assign(data + used, size - used);
  return true;
}

void PlainTransfer::on_closed_by_peer(int error) {
  const std::string why =
      error == 0 ? std::string("connection closed by the server") : errno_text(error);
  if (error == 0 && parser_ && parser_->is_header_done() && parser_->need_eof()) {
    // A body delimited by the connection's end (no length, not chunked): this is its end.
    boost::beast::error_code ec;
    parser_->put_eof(ec);
    close_connection();
    complete(ec ? Ending::transport_error : Ending::complete, ec ? ec.message() : "");
    return;
  }
  if (may_retry_stale()) {
    closed_while_kept(monotonic_ns());
    retry_on_fresh_connection();
    return;
  }
  close_connection();
  complete(Ending::transport_error, why);
}

bool PlainTransfer::may_retry_stale() const {
  // Only a kept connection that yielded nothing: the server closed it as we reused it.
  return options_.retry_stale_connection && reused_ && !retried_ && !bytes_this_attempt_;
}

void PlainTransfer::retry_on_fresh_connection() {
  close_connection();
  retried_ = true;
  ++spec_.record->retries;
  begin_attempt();
  if (state_ == State::start_failed && !starting_) {
    // The fresh connection could not even be opened: report it now rather than later.
    const std::string why = pending_error_;
    complete(pending_ending_, why);
  }
}

void PlainTransfer::watch(std::uint32_t events) {
  if (watched_ == events) return;
  loop_.watch(fd_, events, this);
  watched_ = events;
}

void PlainTransfer::close_connection() {
  if (fd_ < 0) return;
  loop_.unwatch(fd_);
  ::close(fd_);
  fd_ = -1;
  watched_ = 0;
}

void PlainTransfer::run_pending(std::int64_t now) {
  switch (state_) {
    case State::idle:
      return;
    case State::start_failed: {
      const std::string why = pending_error_;
      complete(pending_ending_, why);
      return;
    }
    case State::connecting:
      if (now - connect_started_ns_ >= options_.connect_timeout.count() * 1'000'000) {
        close_connection();
        complete(
            Ending::connect_failed,
            "connect timed out after " + std::to_string(options_.connect_timeout.count()) + " ms");
        return;
      }
      break;
    case State::settling:
    case State::sending:
    case State::receiving:
      break;
  }
  if (now - started_ns_ >= options_.request_timeout.count() * 1'000'000) {
    close_connection();
    complete(Ending::timed_out, "no complete answer within " +
                                    std::to_string(options_.request_timeout.count()) + " ms");
    return;
  }
  const auto stall_ns = std::int64_t{options_.stall_timeout.count()} * 1'000'000'000;
  if (stall_ns > 0 && now - last_activity_ns_ >= stall_ns) {
    close_connection();
    complete(Ending::stalled,
             "no byte for " + std::to_string(options_.stall_timeout.count()) + " s");
    return;
  }
}

void PlainTransfer::cancel() {
  if (state_ == State::idle) return;
  close_connection();
  complete(Ending::cancelled, "cancelled");
}

void PlainTransfer::complete(Ending ending, std::string_view detail) {
  if (starting_) {
    // Never call back into the owner from inside start(): the owner reports it right after.
    close_connection();
    defer(ending, detail);
    return;
  }
  const std::int64_t now = monotonic_ns();
  answer_.finish(ending, detail, now);
  parser_.reset();
  state_ = State::idle;
  if (fd_ >= 0 && ending == Ending::complete) {
    ++answers_on_connection_;
    last_answer_ns_ = now;
    KeepAliveHabit& habit = target_->habit;
    if (answers_on_connection_ > 1 && habit == KeepAliveHabit::unknown) {
      habit = KeepAliveHabit::keeps;
    }
    // The server will close this one right away: do it first and connect afresh next time.
    if (habit == KeepAliveHabit::closes_after_each_answer) close_connection();
  }
  if (fd_ >= 0) watch(EPOLLIN);  // a kept connection: hear the server close it while idle
  owner_.plain_done(this, spec_);
}

}  // namespace servemeter::http
