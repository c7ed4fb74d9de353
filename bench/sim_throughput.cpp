// Quick throughput probe for the simulator (not a test): C keep-alive connections stream
// chat completions for D seconds; prints token events received per second. Events are counted
// as "\n\n" terminators without parsing, so the probe stays cheaper than the server.
//   sim_throughput PORT CONCURRENCY SECONDS MAX_TOKENS
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <utility>

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

std::uint64_t g_events = 0;
std::uint64_t g_bytes = 0;
bool g_stop = false;

struct Conn : std::enable_shared_from_this<Conn> {
  tcp::socket sock;
  std::string req;
  char buf[1 << 16];
  std::string tail;  // last 4 bytes seen, to find the terminal chunk across reads
  char prev = 0;
  Conn(asio::io_context& ioc, std::string r) : sock(ioc), req(std::move(r)) {}
  void send() {
    if (g_stop) return;
    asio::async_write(sock, asio::buffer(req), [self = shared_from_this()](auto ec, std::size_t) {
      if (!ec) self->read();
    });
  }
  void read() {
    sock.async_read_some(asio::buffer(buf), [self = shared_from_this()](auto ec, std::size_t n) {
      if (ec) return;
      g_bytes += n;
      for (std::size_t i = 0; i < n; ++i) {
        if (self->buf[i] == '\n' && self->prev == '\n') ++g_events;
        self->prev = self->buf[i];
      }
      self->tail.append(self->buf + (n > 8 ? n - 8 : 0), self->buf + n);
      if (self->tail.size() > 16) self->tail.erase(0, self->tail.size() - 16);
      if (self->tail.size() >= 5 &&
          self->tail.compare(self->tail.size() - 5, 5, "0\r\n\r\n") == 0) {
        self->tail.clear();
        self->send();
      } else {
        self->read();
      }
    });
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: sim_throughput PORT CONCURRENCY SECONDS MAX_TOKENS\n");
    return 2;
  }
  const auto port = static_cast<unsigned short>(std::atoi(argv[1]));
  const int conc = std::atoi(argv[2]);
  const double secs = std::atof(argv[3]);
  const std::string body =
      std::string(
          R"({"model":"meta-llama/Llama-3.1-8B-Instruct","messages":[{"role":"user","content":"Hi"}],"max_tokens":)") +
      argv[4] + R"(,"ignore_eos":true,"stream":true})";
  const std::string req =
      "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: "
      "application/json\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body;
  asio::io_context ioc;
  for (int i = 0; i < conc; ++i) {
    auto c = std::make_shared<Conn>(ioc, req);
    c->sock.connect({asio::ip::make_address("127.0.0.1"), port});
    c->send();
  }
  asio::steady_timer warm(ioc, std::chrono::milliseconds(500));
  std::uint64_t e0 = 0, b0 = 0;
  auto t0 = std::chrono::steady_clock::now();
  warm.async_wait([&](auto) {
    e0 = g_events;
    b0 = g_bytes;
    t0 = std::chrono::steady_clock::now();
  });
  asio::steady_timer end(ioc, std::chrono::milliseconds(500 + static_cast<int>(secs * 1000)));
  end.async_wait([&](auto) {
    const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("concurrency %d: %.0f events/s, %.1f MB/s\n", conc,
                static_cast<double>(g_events - e0) / dt,
                static_cast<double>(g_bytes - b0) / dt / 1e6);
    g_stop = true;
    ioc.stop();
  });
  ioc.run();
  return 0;
}
