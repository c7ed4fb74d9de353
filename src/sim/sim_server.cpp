#include "sim/sim_server.h"

#include <fcntl.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "sim/connection.h"
#include "sim/profile.h"
#include "sim/profile_traits.h"
#include "sim/stamped_receive.h"

namespace servemeter::sim {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// Asio opens and accepts without SOCK_CLOEXEC. An in-process simulator (`run --simulate`, tests)
// shares its process with code that starts programs (telemetry tools, servers, a test's
// `servemeter run`): an inherited listening socket would outlive the simulator and take its
// connections into a backlog nobody serves.
void close_on_exec(int fd) {
  const int flags = ::fcntl(fd, F_GETFD);
  if (flags >= 0) ::fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

}  // namespace

// Destruction order matters: `state` (engine, sinks holding connections) must go before `ioc`.
struct SimServer::Impl {
  asio::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  asio::steady_timer flush_timer{ioc};
  std::unique_ptr<ServerState> state;
  std::thread thread;
  std::uint16_t port = 0;
  bool stopped = false;

  void accept() {
    acceptor.async_accept([this](const boost::system::error_code& ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
      if (!ec) {
        close_on_exec(socket.native_handle());
        std::make_shared<Connection>(std::move(socket), *state)->start();
      }
      accept();  // also after transient errors (EMFILE ...): keep serving
    });
  }

  void tick_flush() {
    flush_timer.expires_after(std::chrono::seconds(1));
    flush_timer.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      state->truth.flush();
      tick_flush();
    });
  }
};

namespace {

void validate(const SimOptions& o) {
  auto bad = [](const std::string& m) { throw std::invalid_argument(m); };
  if (find_profile_traits(o.profile) == nullptr) {
    bad("--profile must be " + profile_names() + ", got '" + o.profile + "'");
  }
  if (!(o.time_scale > 0)) bad("--time-scale must be > 0, got " + std::to_string(o.time_scale));
  if (o.events_per_write < 1) {
    bad("--events-per-write must be >= 1, got " + std::to_string(o.events_per_write));
  }
  if (o.ttft_ms.has_value() != o.itl_ms.has_value()) {
    bad("--ttft-ms and --itl-ms go together: give both for fixed timing, or neither");
  }
  if ((o.ttft_ms && *o.ttft_ms < 0) || (o.itl_ms && *o.itl_ms < 0)) {
    bad("--ttft-ms and --itl-ms must be >= 0");
  }
  if (o.fault_status != 0 && o.fault_status != 429 && o.fault_status != 500 &&
      o.fault_status != 503) {
    bad("--fault-status must be 429, 500 or 503, got " + std::to_string(o.fault_status));
  }
  auto rate = [&](double r, const char* name) {
    if (r < 0 || r > 1) bad(std::string(name) + " must be within [0, 1], got " + std::to_string(r));
  };
  rate(o.fault_rate, "--fault-rate");
  rate(o.malformed_rate, "--malformed-rate");
  if (o.max_running && *o.max_running < 1) bad("--max-running must be >= 1");
  if (o.context_length && *o.context_length < 16) bad("--context-length must be >= 16");
  if (o.retry_after_s < 0)
    bad("--retry-after must be >= 0, got " + std::to_string(o.retry_after_s));
  if (o.stall_ms < 0 || o.loading_s < 0) bad("--stall-ms and --loading-s must be >= 0");
  boost::system::error_code ec;
  const std::string host = o.host == "localhost" ? "127.0.0.1" : o.host;
  const auto addr = asio::ip::make_address(host, ec);
  if (ec) bad("--host must be an IP address, got '" + o.host + "'");
  if (!addr.is_loopback() && !o.allow_remote) {
    bad("--host " + o.host +
        " is not a loopback address; the simulator has no authentication. Pass --allow-remote "
        "to listen on it anyway");
  }
}

}  // namespace

SimServer::SimServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

SimServer::~SimServer() {
  stop();
}

std::uint16_t SimServer::port() const {
  return impl_->port;
}

std::unique_ptr<SimServer> SimServer::start(const SimOptions& options) {
  validate(options);
  ProfileParams profile =
      load_profile(options.profiles_file.empty() ? default_profiles_path() : options.profiles_file,
                   options.profile);
  if (options.max_running) profile.max_running = *options.max_running;
  if (options.context_length) profile.context_length = *options.context_length;
  const bool caching = options.prefix_caching.value_or(true);

  auto impl = std::make_unique<Impl>();
  impl->state = std::make_unique<ServerState>(impl->ioc, options, profile);
  if (!options.tokenizer.empty()) {
    try {
      impl->state->tokenizer =
          std::make_shared<const Tokenizer>(Tokenizer::load(options.tokenizer));
    } catch (const TokenizerError& e) {
      throw std::invalid_argument(std::string("--tokenizer: ") + e.what());
    }
  }
  ServerState& st = *impl->state;
  if (!options.truth_log.empty()) st.truth.open(options.truth_log);
  if (!st.fixed_timing) {
    st.engine = std::make_unique<Engine>(
        impl->ioc, st.profile, make_prefix_cache(st.profile, caching), options.time_scale);
  }
  const std::string host = options.host == "localhost" ? "127.0.0.1" : options.host;
  const tcp::endpoint ep(asio::ip::make_address(host), options.port);
  boost::system::error_code ec;
  impl->acceptor.open(ep.protocol(), ec);
  if (!ec) close_on_exec(impl->acceptor.native_handle());
  if (!ec) impl->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(ep, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(options.port) +
                             ": " + ec.message() +
                             " (is another server using the port? use --port 0 for a free one)");
  }
  impl->port = impl->acceptor.local_endpoint().port();
  // Accepted sockets inherit it; where the kernel refuses, arrival is the time of the read.
  enable_receive_timestamps(impl->acceptor.native_handle());
  impl->accept();
  impl->tick_flush();
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->ioc.run(); });
  return std::unique_ptr<SimServer>(new SimServer(std::move(impl)));
}

void SimServer::stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  Impl* raw = impl_.get();
  asio::post(raw->ioc, [raw] {
    boost::system::error_code ignored;
    raw->acceptor.close(ignored);
    raw->flush_timer.cancel();
    if (raw->state->engine) raw->state->engine->stop();
    // A client can read a stream's last byte before this thread has run that write's
    // completion, which logs the request's truth line: give pending completions a moment.
    raw->flush_timer.expires_after(std::chrono::milliseconds(20));
    raw->flush_timer.async_wait([raw](const boost::system::error_code&) {
      raw->state->truth.flush();
      raw->ioc.stop();
    });
  });
  if (raw->thread.joinable()) raw->thread.join();
  raw->state->truth.flush();
}

}  // namespace servemeter::sim
