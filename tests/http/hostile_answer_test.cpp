// Answers a hostile, broken or merely unusual server gives, on both transports: bytes in another
// charset, a stream compressed although we did not ask, an endless line, Retry-After, echoed
// credentials, and connections the server closes after each answer.
#include <gtest/gtest.h>

#include <chrono>
#include <ctime>

#include "core/text.h"
#include "http/client_harness.h"
#include "http/fake_server.h"
#include "protocol/event_readers.h"
#include "protocol/framed_parser.h"

namespace servemeter::testing {
namespace {

using Transport = http::ClientOptions::Transport;

class HostileAnswer : public ::testing::TestWithParam<Transport> {
 protected:
  static http::ClientOptions client_options() {
    http::ClientOptions options;
    options.transport = GetParam();
    return options;
  }
};

INSTANTIATE_TEST_SUITE_P(Transports, HostileAnswer,
                         ::testing::Values(Transport::automatic, Transport::curl),
                         [](const ::testing::TestParamInfo<Transport>& info) {
                           return info.param == Transport::curl ? "curl" : "plain";
                         });

bool wait_until(const std::function<bool()>& done, int max_ms = 10'000) {
  for (int waited = 0; waited < max_ms; waited += 5) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return done();
}

TEST_P(HostileAnswer, Latin1ProxyErrorPageBecomesValidUtf8) {
  FakeServer server([](const SeenRequest&, FakeConnection& conn) {
    conn.send_full(502, "text/html; charset=iso-8859-1",
                   "<html><body><h1>Passerelle d\xE9"
                   "faillante</h1></body></html>");
  });
  ClientHarness h(client_options());
  RequestRecord& r = h.add(server.url());
  h.start_all_and_run();
  EXPECT_EQ(r.error, ErrorKind::server_error);
  EXPECT_EQ(r.http_status, 502);
  EXPECT_TRUE(is_valid_utf8(r.error_message)) << r.error_message;
  EXPECT_NE(r.error_message.find("Passerelle d\xEF\xBF\xBD"
                                 "faillante"),
            std::string::npos)
      << r.error_message;
}

TEST_P(HostileAnswer, StreamCompressedUnaskedIsBadPayload) {
  FakeServer server([](const SeenRequest&, FakeConnection& conn) {
    conn.send_chunked_head(200, "text/event-stream", "Content-Encoding: gzip\r\n");
    conn.send_chunk(std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xff\xe9", 12));
    conn.end_chunks();
  });
  ClientHarness h(client_options());
  RequestRecord& r = h.add(server.url());
  h.start_all_and_run();
  EXPECT_EQ(r.error, ErrorKind::bad_payload);
  EXPECT_NE(r.error_message.find("compressed the stream unasked"), std::string::npos)
      << r.error_message;
  EXPECT_NE(r.error_message.find("gzip"), std::string::npos) << r.error_message;
  EXPECT_EQ(h.parsers[0]->bytes_calls, 0);
  const auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].headers.count("accept-encoding"), 0u);  // we never ask for compression
}

// 64 MiB of one SSE data line, never ended, written in 64 KiB chunks.
void endless_line(FakeConnection& conn, std::atomic<bool>& wrote_everything) {
  conn.send_chunked_head(200, "text/event-stream");
  conn.send_chunk("data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n");
  conn.send_chunk("data: {\"choices\":[{\"delta\":{\"content\":\"");
  const std::string piece(64 * 1024, 'x');
  for (int i = 0; i < 1024; ++i) {
    if (!conn.send_chunk(piece)) return;  // the client has hung up
  }
  wrote_everything = true;
  conn.end_chunks();
}

void expect_oversized_within(const http::ClientOptions& options, std::size_t limit) {
  std::atomic<bool> wrote_everything{false};
  FakeServer server(
      [&](const SeenRequest&, FakeConnection& conn) { endless_line(conn, wrote_everything); });
  ClientHarness h(options);
  FramedParser<SseFramer, OpenAiReader> parser;
  RequestRecord record;
  const std::string url = server.url();
  const std::string body = "{}";
  h.client.start(http::TransferSpec{url, body, &parser, &h.adapter, &record, 0});
  h.run(60'000);
  ASSERT_FALSE(h.timed_out);
  EXPECT_EQ(record.error, ErrorKind::oversized) << record.error_message;
  EXPECT_NE(record.error_message.find("--max-event-bytes"), std::string::npos)
      << record.error_message;
  EXPECT_NE(record.error_message.find(std::to_string(limit) + " bytes"), std::string::npos)
      << record.error_message;
  EXPECT_EQ(record.token_event_ns.size(), 1u);  // the event before it still counts
  // The client stopped reading within a read of the bound, so it never held more: memory per
  // stream is bounded by --max-event-bytes, not by what the server sends.
  EXPECT_LE(static_cast<std::size_t>(record.bytes_received), limit + 2 * 64 * 1024);
  EXPECT_EQ(parser.framer().buffered_bytes(), 0u);
  EXPECT_FALSE(wrote_everything);  // and hung up instead of draining 64 MiB
}

TEST_P(HostileAnswer, EndlessLineFailsAsOversizedWithinTheDefaultBound) {
  expect_oversized_within(client_options(), kDefaultMaxEventBytes);
}

TEST_P(HostileAnswer, MaxEventBytesOptionIsHonoured) {
  http::ClientOptions options = client_options();
  options.max_event_bytes = 100 * 1024;
  expect_oversized_within(options, 100 * 1024);
}

std::string http_date_in(std::chrono::seconds from_now) {
  const std::time_t when = std::time(nullptr) + from_now.count();
  std::tm tm{};
  gmtime_r(&when, &tm);
  char text[64];
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return text;
}

TEST_P(HostileAnswer, RetryAfterIsRecordedInSeconds) {
  const std::string date = http_date_in(std::chrono::hours(1));
  FakeServer server([&](const SeenRequest& request, FakeConnection& conn) {
    if (request.path == "/seconds") {
      conn.send(
          "HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\n"
          "Retry-After: 7\r\nContent-Length: 2\r\n\r\n{}");
    } else if (request.path == "/date") {
      conn.send("HTTP/1.1 503 Service Unavailable\r\nRetry-After: " + date +
                "\r\nContent-Length: 0\r\n\r\n");
    } else {
      conn.send_full(500, "text/plain", "no");
    }
  });
  ClientHarness h(client_options());
  RequestRecord& seconds = h.add(server.url("/seconds"));
  RequestRecord& dated = h.add(server.url("/date"));
  RequestRecord& none = h.add(server.url("/none"));
  h.start_all_and_run();
  EXPECT_EQ(seconds.error, ErrorKind::rate_limited);
  ASSERT_TRUE(seconds.retry_after_s.has_value());
  EXPECT_EQ(*seconds.retry_after_s, 7.0);
  EXPECT_EQ(dated.error, ErrorKind::server_error);
  ASSERT_TRUE(dated.retry_after_s.has_value()) << date;
  EXPECT_GT(*dated.retry_after_s, 3000.0);  // an hour ahead, give or take a slow machine
  EXPECT_LE(*dated.retry_after_s, 3600.0);
  EXPECT_EQ(none.error, ErrorKind::server_error);
  EXPECT_FALSE(none.retry_after_s.has_value());
}

TEST_P(HostileAnswer, EchoedApiKeyNeverReachesTheRecord) {
  constexpr std::string_view kKey = "sk-live-0123456789abcdef";
  FakeServer server([](const SeenRequest& request, FakeConnection& conn) {
    const std::string auth = request.headers.count("authorization") != 0
                                 ? request.headers.at("authorization")
                                 : std::string("none");
    if (request.path == "/echo") {  // a debugging proxy that shows what it got
      conn.send_full(
          401, "application/json",
          R"({"error":"bad credentials","received":{"authorization":")" + auth + R"("}})");
    } else if (request.path == "/bare") {  // the key alone, without a header name
      conn.send_full(403, "text/plain", "key " + auth.substr(7) + " is revoked");
    } else {  // an in-stream error event that quotes it
      conn.send_chunked_head(200, "text/event-stream");
      conn.send_chunk("data: {\"error\":{\"message\":\"key " + auth.substr(7) +
                      " expired\"}}\n\ndata: [DONE]\n\n");
      conn.end_chunks();
    }
  });
  http::ClientOptions options = client_options();
  options.api_key = std::string(kKey);
  ClientHarness h(options);
  RequestRecord& echoed = h.add(server.url("/echo"));
  RequestRecord& bare = h.add(server.url("/bare"));
  h.start_all_and_run();
  FramedParser<SseFramer, OpenAiReader> parser;
  RequestRecord streamed;
  const std::string url = server.url("/stream");
  const std::string body = "{}";
  h.client.start(http::TransferSpec{url, body, &parser, &h.adapter, &streamed, 9});
  h.run();
  EXPECT_EQ(echoed.error, ErrorKind::client_error);
  EXPECT_EQ(bare.error, ErrorKind::client_error);
  EXPECT_EQ(streamed.error, ErrorKind::stream_error);
  for (const RequestRecord* r : {&echoed, &bare, &streamed}) {
    EXPECT_EQ(r->error_message.find("0123456789abcdef"), std::string::npos) << r->error_message;
    EXPECT_NE(r->error_message.find("<redacted>"), std::string::npos) << r->error_message;
  }
  EXPECT_NE(bare.error_message.find("is revoked"), std::string::npos) << bare.error_message;
}

// The server closes each connection after one answer. `header`: it says so (Connection:
// close); otherwise it just closes (llama-server). `delay_ms`: it closes that long after the
// answer, while the client may already have sent the next request.
struct ClosingServer {
  bool header = false;
  int delay_ms = 0;
};

FakeServer closing_server(ClosingServer how) {
  return FakeServer([how](const SeenRequest&, FakeConnection& conn) {
    answer_sse(conn, 2, how.header ? "Connection: close\r\n" : "");
    if (how.delay_ms > 0) conn.sleep_ms(how.delay_ms);
    conn.close_after();
  });
}

TEST_P(HostileAnswer, ServerClosingAfterEachAnswerCostsNoRetry) {
  for (const bool header : {false, true}) {
    SCOPED_TRACE(header ? "with Connection: close" : "without Connection: close");
    FakeServer server = closing_server({.header = header});
    ClientHarness h(client_options());
    for (int i = 0; i < 9; ++i) h.add(server.url());
    for (std::size_t i = 0; i < 9; ++i) {
      h.start(i);
      h.run();
      // The close is here before the next request goes out (a closed connection must be seen
      // as closed, never written into).
      ASSERT_TRUE(
          wait_until([&] { return server.closed_connections() == static_cast<int>(i) + 1; }));
    }
    for (const RequestRecord& r : h.records) {
      EXPECT_TRUE(r.ok()) << r.error_message;
      EXPECT_EQ(r.retries, 0);
    }
    EXPECT_EQ(server.connections(), 9);
    EXPECT_EQ(server.requests().size(), 9u);  // nothing was sent twice
  }
}

TEST_P(HostileAnswer, ServerClosingRightAfterEachAnswerIsLearnt) {
  // Requests follow each other at once, as in a closed loop; the server's close races them.
  for (const int delay_ms : {0, 20}) {
    SCOPED_TRACE("closing " + std::to_string(delay_ms) + " ms after the answer");
    FakeServer server = closing_server({.delay_ms = delay_ms});
    ClientHarness h(client_options());
    for (int i = 0; i < 9; ++i) h.add(server.url());
    for (std::size_t i = 0; i < 9; ++i) {
      h.start(i);
      h.run();
    }
    int retries = 0;
    for (const RequestRecord& r : h.records) {
      EXPECT_TRUE(r.ok()) << r.error_message;
      retries += r.retries;
    }
    // At most the first reuse can lose the race (and is then retried, a real event); from
    // then on the client opens a connection per request itself.
    EXPECT_LE(retries, 1);
    for (std::size_t i = 2; i < 9; ++i) EXPECT_EQ(h.records[i].retries, 0) << i;
    if (delay_ms == 0) {
      EXPECT_EQ(retries, 0);  // the first reuse waited for the server's close
    }
    EXPECT_EQ(server.requests().size(), 9u);  // a request retried never reached the server
  }
}

}  // namespace
}  // namespace servemeter::testing
