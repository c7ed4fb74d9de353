#pragma once
// A tiny scripted HTTP/1.1 server on 127.0.0.1:<ephemeral> for client tests: one thread per
// connection, blocking sockets, a handler per request that writes whatever bytes the test wants
// (well-formed or not), over plain TCP or TLS (OpenSSL, with the certificate in
// tests/support/tls). Counts connections and requests in flight. Stops by itself in the
// destructor: every wait inside it is bounded and wakes on stop.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;

namespace servemeter::testing {

struct SeenRequest {
  std::string method;
  std::string path;
  std::map<std::string, std::string> headers;  // keys lower-cased
  std::string body;
  int connection = 0;     // 0-based accept order
  int on_connection = 0;  // 0-based index of this request on its connection
};

class FakeServer;

class FakeConnection {
 public:
  FakeConnection(FakeServer& server, int fd, SSL* tls) : server_(server), fd_(fd), tls_(tls) {}
  bool send(std::string_view bytes);
  // Status line + headers of a chunked answer (the transport all servers use for streams).
  bool send_chunked_head(int status, std::string_view content_type,
                         std::string_view extra_headers = {});
  bool send_chunk(std::string_view data);
  bool end_chunks();
  // A complete non-streamed answer with Content-Length.
  bool send_full(int status, std::string_view content_type, std::string_view body);
  // Send FIN now (after TLS close_notify) but keep the socket open: the client sees its
  // connection closed while the server still holds it.
  void half_close();
  // Close after the handler returns; `reset` sends RST (SO_LINGER 0) instead of FIN.
  void close_after(bool reset = false) {
    close_ = true;
    reset_ = reset;
  }
  // Sleep that ends early when the server stops; returns false if it did.
  bool sleep_ms(int ms);

 private:
  friend class FakeServer;
  FakeServer& server_;
  int fd_;
  SSL* tls_;  // null: plain TCP
  bool close_ = false;
  bool reset_ = false;
  bool half_closed_ = false;
};

struct FakeServerOptions {
  int max_requests_per_connection = 0;  // close (FIN, no "Connection: close") after N; 0 = no cap
  int idle_close_ms = 0;                // close a connection idle this long; 0 = never
  bool tls = false;                     // https:// with tls_ca_file()'s certificate
};

// The PEM certificate the TLS fake server presents (self-signed: it is its own CA).
std::string tls_ca_file();

class FakeServer {
 public:
  using Handler = std::function<void(const SeenRequest&, FakeConnection&)>;
  explicit FakeServer(Handler handler, FakeServerOptions options = {});
  ~FakeServer();

  std::uint16_t port() const { return port_; }
  std::string url(std::string_view path = "/v1/test") const;
  int connections() const { return connections_.load(); }
  // Connections the server has closed (after their last handler returned).
  int closed_connections() const { return closed_connections_.load(); }
  int in_flight() const { return in_flight_.load(); }
  int max_in_flight() const { return max_in_flight_.load(); }
  std::vector<SeenRequest> requests() const;
  // Block (bounded) until `n` requests have been handled at once (a latch: stays true after the
  // first one of them finishes); false on timeout.
  bool wait_in_flight(int n, int timeout_ms);
  bool stopping() const { return stopping_.load(); }

 private:
  friend class FakeConnection;
  void accept_loop();
  void serve(int fd, int index);
  bool read_request(int fd, SSL* tls, std::string& buffer, SeenRequest& out);

  Handler handler_;
  FakeServerOptions options_;
  SSL_CTX* tls_context_ = nullptr;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::atomic<int> closed_connections_{0};
  std::atomic<int> in_flight_{0};
  std::atomic<int> max_in_flight_{0};
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<SeenRequest> seen_;
  std::vector<int> open_fds_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

// An SSE stream in the OpenAI shape the fake parser in the tests understands.
std::string sse_event(std::string_view text);
inline constexpr std::string_view kSseDone = "data: [DONE]\n\n";

// A whole chunked SSE answer: 200, `events` events "tok", [DONE]; `extra_headers` go in the head.
void answer_sse(FakeConnection& conn, int events, std::string_view extra_headers = {});

}  // namespace servemeter::testing
