// A write into a connection whose peer has gone raises SIGPIPE, and its default action kills the
// process (CI lost a whole test binary to it). Neither the client (plain, curl, https) nor the
// fake servers (plain, TLS) may raise it; a counting handler shows any that slips through.
#include <gtest/gtest.h>

#include <chrono>
#include <future>

#include "http/client_harness.h"
#include "http/fake_server.h"
#include "support/sigpipe_counter.h"

namespace servemeter::testing {
namespace {

using testsupport::SigpipeCounter;

enum class Path { plain, curl, https };

class Sigpipe : public ::testing::TestWithParam<Path> {
 protected:
  static FakeServerOptions server_options() {
    FakeServerOptions options;
    options.tls = GetParam() == Path::https;
    return options;
  }
  static http::ClientOptions client_options() {
    http::ClientOptions options;
    if (GetParam() == Path::curl) options.transport = http::ClientOptions::Transport::curl;
    options.tls.verify = false;
    return options;
  }
};

INSTANTIATE_TEST_SUITE_P(Paths, Sigpipe, ::testing::Values(Path::plain, Path::curl, Path::https),
                         [](const ::testing::TestParamInfo<Path>& info) {
                           switch (info.param) {
                             case Path::plain:
                               return "plain";
                             case Path::curl:
                               return "curl";
                             case Path::https:
                               return "https";
                           }
                           return "unknown";
                         });

bool wait_until(const std::function<bool()>& done, int max_ms = 10'000) {
  for (int waited = 0; waited < max_ms; waited += 10) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

TEST_P(Sigpipe, FakeServerWritingToAClientThatLeftSurvives) {
  const SigpipeCounter sigpipes;
  std::promise<void> client_gone;
  std::shared_future<void> gone = client_gone.get_future().share();
  std::atomic<bool> handler_done{false};
  std::atomic<bool> write_failed{false};
  FakeServer server(
      [&](const SeenRequest&, FakeConnection& conn) {
        conn.send_chunked_head(200, "text/event-stream");
        if (gone.wait_for(std::chrono::seconds(10)) == std::future_status::ready) {
          // The first write draws the client's RST; a later one meets the closed socket.
          const std::string event = sse_event(std::string(4096, 'x'));
          for (int i = 0; i < 1000 && !write_failed; ++i) write_failed = !conn.send_chunk(event);
        }
        handler_done = true;
      },
      server_options());
  {
    http::ClientOptions options = client_options();
    options.request_timeout = std::chrono::milliseconds(200);
    ClientHarness h(options);
    RequestRecord& r = h.add(server.url());
    h.start_all_and_run();
    EXPECT_EQ(r.error, ErrorKind::timeout) << r.error_message;
  }  // the client and its connections are gone
  client_gone.set_value();
  ASSERT_TRUE(wait_until([&] { return handler_done.load(); }));
  EXPECT_TRUE(write_failed) << "the server never wrote into the closed connection";
  EXPECT_EQ(sigpipes.count(), 0);
}

TEST_P(Sigpipe, ClientReusingAConnectionTheServerResetSurvives) {
  const SigpipeCounter sigpipes;
  FakeServer server(
      [](const SeenRequest& request, FakeConnection& conn) {
        answer_sse(conn, 1);
        if (request.connection == 0) {
          // FIN, then RST: the kept connection is dead and a write into it fails with EPIPE.
          conn.half_close();
          conn.sleep_ms(50);
          conn.close_after(/*reset=*/true);
        }
      },
      server_options());
  ClientHarness h(client_options());
  h.add(server.url());
  h.add(server.url());
  h.start(0);
  h.run();
  ASSERT_TRUE(wait_until([&] { return server.closed_connections() == 1; }));
  h.start(1);
  h.run();
  for (const RequestRecord& r : h.records) EXPECT_TRUE(r.ok()) << r.error_message;
  // The dead connection is noticed before reuse: a new one, and no retry.
  EXPECT_EQ(h.records[1].retries, 0);
  EXPECT_EQ(server.connections(), 2);
  EXPECT_EQ(sigpipes.count(), 0);
}

}  // namespace
}  // namespace servemeter::testing
