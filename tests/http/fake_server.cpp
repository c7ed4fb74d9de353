#include "http/fake_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/bio.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <stdexcept>

namespace servemeter::testing {

namespace {

// OpenSSL's socket BIO writes with write(), which raises SIGPIPE when the client has gone: a test
// process killed by its own fake server. This BIO sends with MSG_NOSIGNAL instead.
int fd_of(BIO* bio) {
  return static_cast<int>(reinterpret_cast<std::intptr_t>(BIO_get_data(bio)));
}

int bio_write(BIO* bio, const char* data, int size) {
  BIO_clear_retry_flags(bio);
  ssize_t n;
  do {
    n = ::send(fd_of(bio), data, static_cast<std::size_t>(size), MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  return static_cast<int>(n);
}

int bio_read(BIO* bio, char* data, int size) {
  BIO_clear_retry_flags(bio);
  ssize_t n;
  do {
    n = ::recv(fd_of(bio), data, static_cast<std::size_t>(size), 0);
  } while (n < 0 && errno == EINTR);
  return static_cast<int>(n);
}

long bio_ctrl(BIO*, int command, long, void*) {
  return command == BIO_CTRL_FLUSH ? 1 : 0;  // nothing is buffered here
}

int bio_create(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

const BIO_METHOD* no_signal_socket_method() {
  static BIO_METHOD* const method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "fake server socket");
    BIO_meth_set_write(m, bio_write);
    BIO_meth_set_read(m, bio_read);
    BIO_meth_set_ctrl(m, bio_ctrl);
    BIO_meth_set_create(m, bio_create);
    return m;
  }();
  return method;
}

}  // namespace

std::string tls_ca_file() {
  return std::string(SERVEMETER_TEST_TLS_DIR) + "/localhost.pem";
}

bool FakeConnection::send(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = tls_ != nullptr
                          ? SSL_write(tls_, bytes.data(), static_cast<int>(bytes.size()))
                          : ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

void FakeConnection::half_close() {
  half_closed_ = true;
  if (tls_ != nullptr) SSL_shutdown(tls_);
  ::shutdown(fd_, SHUT_WR);
}

bool FakeConnection::send_chunked_head(int status, std::string_view content_type,
                                       std::string_view extra_headers) {
  std::string head = "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: ";
  head.append(content_type);
  head += "\r\nTransfer-Encoding: chunked\r\n";
  head.append(extra_headers);
  head += "\r\n";
  return send(head);
}

bool FakeConnection::send_chunk(std::string_view data) {
  char size[32];
  const int n = std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  std::string chunk(size, static_cast<std::size_t>(n));
  chunk.append(data);
  chunk += "\r\n";
  return send(chunk);
}

bool FakeConnection::end_chunks() {
  return send("0\r\n\r\n");
}

bool FakeConnection::send_full(int status, std::string_view content_type, std::string_view body) {
  std::string head = "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: ";
  head.append(content_type);
  head += "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  head.append(body);
  return send(head);
}

bool FakeConnection::sleep_ms(int ms) {
  std::unique_lock lock(server_.mutex_);
  return !server_.changed_.wait_for(lock, std::chrono::milliseconds(ms),
                                    [&] { return server_.stopping_.load(); });
}

FakeServer::FakeServer(Handler handler, FakeServerOptions options)
    : handler_(std::move(handler)), options_(options) {
  if (options_.tls) {
    tls_context_ = SSL_CTX_new(TLS_server_method());
    const std::string dir = SERVEMETER_TEST_TLS_DIR;
    if (tls_context_ == nullptr ||
        SSL_CTX_use_certificate_chain_file(tls_context_, (dir + "/localhost.pem").c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(tls_context_, (dir + "/localhost-key.pem").c_str(),
                                    SSL_FILETYPE_PEM) != 1) {
      SSL_CTX_free(tls_context_);
      throw std::runtime_error("fake server: cannot load the test certificate from " + dir);
    }
  }
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 1024) != 0)
    throw std::runtime_error("fake server: cannot listen on 127.0.0.1");
  socklen_t len = sizeof addr;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

FakeServer::~FakeServer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
  }
  changed_.notify_all();
  ::shutdown(listen_fd_, SHUT_RDWR);
  acceptor_.join();
  for (auto& t : threads_) t.join();
  ::close(listen_fd_);
  SSL_CTX_free(tls_context_);
}

std::string FakeServer::url(std::string_view path) const {
  return std::string(options_.tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) +
         std::string(path);
}

std::vector<SeenRequest> FakeServer::requests() const {
  std::lock_guard lock(mutex_);
  return seen_;
}

bool FakeServer::wait_in_flight(int n, int timeout_ms) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] {
    return max_in_flight_.load() >= n || stopping_.load();
  }) && !stopping_.load();
}

void FakeServer::accept_loop() {
  while (!stopping_) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (stopping_ || errno == EINVAL) return;
      continue;
    }
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    std::lock_guard lock(mutex_);
    if (stopping_) {
      ::close(fd);
      return;
    }
    const int index = connections_++;
    open_fds_.push_back(fd);
    threads_.emplace_back([this, fd, index] { serve(fd, index); });
  }
}

bool FakeServer::read_request(int fd, SSL* tls, std::string& buffer, SeenRequest& out) {
  std::size_t header_end;
  char chunk[4096];
  auto fill = [&]() -> bool {
    const int wait = options_.idle_close_ms > 0 ? options_.idle_close_ms : 100;
    for (;;) {
      // TLS may hold decrypted bytes the socket no longer shows.
      const bool buffered = tls != nullptr && SSL_pending(tls) > 0;
      pollfd p{fd, POLLIN, 0};
      const int r = buffered ? 1 : ::poll(&p, 1, wait);
      if (stopping_) return false;
      if (r == 0) {
        if (options_.idle_close_ms > 0 && buffer.empty()) return false;  // idle: close
        continue;
      }
      const ssize_t n =
          tls != nullptr ? SSL_read(tls, chunk, sizeof chunk) : ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) return false;
      buffer.append(chunk, static_cast<std::size_t>(n));
      return true;
    }
  };
  while ((header_end = buffer.find("\r\n\r\n")) == std::string::npos) {
    if (!fill()) return false;
  }
  const std::string head = buffer.substr(0, header_end);
  std::size_t line_end = head.find("\r\n");
  const std::string request_line = head.substr(0, line_end);
  const auto sp1 = request_line.find(' ');
  const auto sp2 = request_line.find(' ', sp1 + 1);
  out.method = request_line.substr(0, sp1);
  out.path = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
  while (pos < head.size()) {
    std::size_t end = head.find("\r\n", pos);
    if (end == std::string::npos) end = head.size();
    const std::string line = head.substr(pos, end - pos);
    const auto colon = line.find(':');
    if (colon != std::string::npos) {
      std::string key = line.substr(0, colon);
      std::transform(key.begin(), key.end(), key.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      out.headers[key] = value;
    }
    pos = end + 2;
  }
  std::size_t length = 0;
  if (auto it = out.headers.find("content-length"); it != out.headers.end())
    length = std::stoul(it->second);
  buffer.erase(0, header_end + 4);
  while (buffer.size() < length) {
    if (!fill()) return false;
  }
  out.body = buffer.substr(0, length);
  buffer.erase(0, length);
  return true;
}

void FakeServer::serve(int fd, int index) {
  std::string buffer;
  bool reset = false;
  bool half_closed = false;  // close_notify already sent
  SSL* tls = nullptr;
  if (tls_context_ != nullptr) {
    tls = SSL_new(tls_context_);
    BIO* bio = BIO_new(no_signal_socket_method());
    BIO_set_data(bio, reinterpret_cast<void*>(static_cast<std::intptr_t>(fd)));
    SSL_set_bio(tls, bio, bio);  // the SSL owns it now
    if (SSL_accept(tls) != 1) {  // e.g. the client refused our certificate: just close
      SSL_free(tls);
      tls = nullptr;
    }
  }
  for (int n = 0; !stopping_ && (tls_context_ == nullptr || tls != nullptr); ++n) {
    SeenRequest request;
    if (!read_request(fd, tls, buffer, request)) break;
    request.connection = index;
    request.on_connection = n;
    {
      std::lock_guard lock(mutex_);
      seen_.push_back(request);
      const int now = ++in_flight_;
      if (now > max_in_flight_) max_in_flight_ = now;
    }
    changed_.notify_all();
    FakeConnection conn(*this, fd, tls);
    handler_(request, conn);
    --in_flight_;
    half_closed = half_closed || conn.half_closed_;
    if (conn.close_) {
      reset = conn.reset_;
      break;
    }
    if (options_.max_requests_per_connection > 0 && n + 1 >= options_.max_requests_per_connection)
      break;
  }
  if (tls != nullptr) {
    if (!reset && !half_closed)
      SSL_shutdown(tls);  // close_notify, as a TLS server ends a connection
    SSL_free(tls);
  }
  if (reset) {
    linger l{1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  }
  std::lock_guard lock(mutex_);
  open_fds_.erase(std::remove(open_fds_.begin(), open_fds_.end(), fd), open_fds_.end());
  ::close(fd);
  ++closed_connections_;
}

void answer_sse(FakeConnection& conn, int events, std::string_view extra_headers) {
  conn.send_chunked_head(200, "text/event-stream", extra_headers);
  for (int i = 0; i < events; ++i) conn.send_chunk(sse_event("tok"));
  conn.send_chunk(kSseDone);
  conn.end_chunks();
}

std::string sse_event(std::string_view text) {
  return "data: {\"choices\":[{\"delta\":{\"content\":\"" + std::string(text) + "\"}}]}\n\n";
}

}  // namespace servemeter::testing
