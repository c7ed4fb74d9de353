// HttpClient against scripted fake servers on loopback: stamping, reuse, concurrency, errors.
// Every test runs on both transports: servemeter's own plain HTTP/1.1 (what http:// URLs use)
// and curl (what https:// uses), which must record the same things.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http/client_harness.h"
#include "http/fake_server.h"

namespace servemeter::testing {
namespace {

constexpr std::int64_t kMs = 1'000'000;

using Transport = http::ClientOptions::Transport;

class HttpClientTest : public ::testing::TestWithParam<Transport> {
 protected:
  static http::ClientOptions client_options() {
    http::ClientOptions options;
    options.transport = GetParam();
    return options;
  }
  static bool on_curl() { return GetParam() == Transport::curl; }
};

INSTANTIATE_TEST_SUITE_P(Transports, HttpClientTest,
                         ::testing::Values(Transport::automatic, Transport::curl),
                         [](const ::testing::TestParamInfo<Transport>& info) {
                           return info.param == Transport::curl ? "curl" : "plain";
                         });

// `count` header lines "X-Padding-i: xxx…" of `size` bytes of value each.
std::string padding_headers(int count, std::size_t size) {
  const std::string value(size, 'x');
  std::string lines;
  for (int i = 0; i < count; ++i) lines += "X-Padding-" + std::to_string(i) + ": " + value + "\r\n";
  return lines;
}

TEST_P(HttpClientTest, StampsEachEventAtArrival) {
  FakeServer server([](const SeenRequest&, FakeConnection& conn) {
    conn.send_chunked_head(200, "text/event-stream; charset=utf-8");
    conn.send_chunk(sse_event("a"));
    conn.sleep_ms(300);
    conn.send_chunk(sse_event("b"));
    conn.send_chunk(kSseDone);
    conn.end_chunks();
  });
  ClientHarness h(client_options());
  RequestRecord& r = h.add(server.url());
  h.start_all_and_run();
  ASSERT_FALSE(h.timed_out);
  EXPECT_TRUE(r.ok()) << r.error_message;
  EXPECT_EQ(r.http_status, 200);
  ASSERT_EQ(r.token_event_ns.size(), 2u);
  // 300 ms apart on the wire; a loaded machine may stamp the first one late, never by half of it
  // (a client that stamped at the end of the stream would see no gap at all).
  const std::int64_t gap = r.token_event_ns[1] - r.token_event_ns[0];
  EXPECT_GE(gap, 150 * kMs);
  EXPECT_LT(gap, 2'000 * kMs);
  EXPECT_GT(r.send_ns, 0);
  EXPECT_LE(r.send_ns, r.first_token_ns);
  EXPECT_LE(r.token_event_ns[1], r.end_ns);
  EXPECT_EQ(r.bytes_received, static_cast<std::int64_t>(sse_event("a").size() +
                                                        sse_event("b").size() + kSseDone.size()));
  EXPECT_EQ(h.parsers[0]->end_calls, 1);
  EXPECT_EQ(r.retries, 0);
}

TEST_P(HttpClientTest, SendsBodyHeadersAndBearerKey) {
  FakeServer server([](const SeenRequest&, FakeConnection& conn) { answer_sse(conn, 1); });
  http::ClientOptions options = client_options();
  options.api_key = "sk-secret-123";
  ClientHarness h(options);
  RequestRecord& r = h.add(server.url("/v1/chat/completions"), "{\"x\":1}");
  h.start_all_and_run();
  ASSERT_TRUE(r.ok()) << r.error_message;
  const auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].path, "/v1/chat/completions");
  EXPECT_EQ(seen[0].body, "{\"x\":1}");
  EXPECT_EQ(seen[0].headers.at("authorization"), "Bearer sk-secret-123");
  EXPECT_EQ(seen[0].headers.at("content-type"), "application/json");
  EXPECT_EQ(seen[0].headers.at("x-request-id"), std::to_string(r.id));
  EXPECT_EQ(seen[0].headers.count("expect"), 0u);
  EXPECT_EQ(r.error_message.find("sk-secret"), std::string::npos);
}

TEST_P(HttpClientTest, NoAuthorizationHeaderWithoutKey) {
  FakeServer server([](const SeenRequest&, FakeConnection& conn) { answer_sse(conn, 1); });
  ClientHarness h(client_options());
  h.add(server.url());
  h.start_all_and_run();
  const auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].headers.count("authorization"), 0u);
}

TEST_P(HttpClientTest, ReusesOneConnectionForSequentialRequests) {
  FakeServer server([](const SeenRequest&, FakeConnection& conn) { answer_sse(conn, 2); });
  ClientHarness h(client_options());
  for (int i = 0; i < 5; ++i) h.add(server.url());
  for (std::size_t i = 0; i < 5; ++i) {
    h.start(i);
    h.run();
  }
  for (const auto& r : h.records) EXPECT_TRUE(r.ok()) << r.error_message;
  EXPECT_EQ(server.connections(), 1);
  EXPECT_EQ(h.client.connections_opened(), 1);
  const auto seen = server.requests();
  ASSERT_EQ(seen.size(), 5u);
  EXPECT_EQ(seen[4].on_connection, 4);
}

TEST_P(HttpClientTest, KeepsManyStreamsInFlightAtOnce) {
  constexpr int kStreams = 16;
  FakeServer* server_ptr = nullptr;
  FakeServer server([&](const SeenRequest&, FakeConnection& conn) {
    server_ptr->wait_in_flight(kStreams, 5'000);  // hold every answer until all are in flight
    answer_sse(conn, 3);
  });
  server_ptr = &server;
  ClientHarness h(client_options());
  for (int i = 0; i < kStreams; ++i) h.add(server.url());
  h.start_all_and_run();
  EXPECT_EQ(server.max_in_flight(), kStreams);
  EXPECT_EQ(server.connections(), kStreams);
  for (const auto& r : h.records) {
    EXPECT_TRUE(r.ok()) << r.error_message;
    EXPECT_EQ(r.token_event_ns.size(), 3u);
  }
  EXPECT_EQ(h.completed.size(), static_cast<std::size_t>(kStreams));
}

TEST_P(HttpClientTest, StallIsATimeout) {
  FakeServer server([](const SeenRequest&, FakeConnection& conn) {
    conn.send_chunked_head(200, "text/event-stream");
    conn.send_chunk(sse_event("a"));
    conn.sleep_ms(12'000);  // silence far longer than the stall timeout
  });
  http::ClientOptions options = client_options();
  options.stall_timeout = std::chrono::seconds(1);
  ClientHarness h(options);
  RequestRecord& r = h.add(server.url());
  h.start_all_and_run();
  EXPECT_EQ(r.error, ErrorKind::timeout);
  EXPECT_NE(r.error_message.find("stalled"), std::string::npos) << r.error_message;
  EXPECT_EQ(r.token_event_ns.size(), 1u);
  EXPECT_EQ(h.parsers[0]->end_calls, 1);
  EXPECT_GE(r.end_ns - r.send_ns, 900 * kMs);
  if (on_curl()) {
    // curl judges "too slow" on speed averaged over ~5 s, so it fires between 1 and ~6 s.
    EXPECT_LT(r.end_ns - r.send_ns, 9'000 * kMs);
  } else {
    EXPECT_LT(r.end_ns - r.send_ns, 1'500 * kMs);  // 1 s of silence, checked every 50 ms
  }
}

TEST_P(HttpClientTest, RequestTimeoutWhileBytesKeepComing) {
  FakeServer server([](const SeenRequest&, FakeConnection& conn) {
    conn.send_chunked_head(200, "text/event-stream");
    for (int i = 0; i < 40 && conn.send_chunk(sse_event("a")); ++i) {
      if (!conn.sleep_ms(100)) break;
    }
  });
  http::ClientOptions options = client_options();
  options.request_timeout = std::chrono::milliseconds(600);
  ClientHarness h(options);
  RequestRecord& r = h.add(server.url());
  h.start_all_and_run();
  EXPECT_EQ(r.error, ErrorKind::timeout);
  EXPECT_NE(r.error_message.find("request timeout"), std::string::npos) << r.error_message;
  EXPECT_GE(r.token_event_ns.size(), 2u);
}

TEST_P(HttpClientTest, RefusedConnectionNamesTheUrl) {
  // Bind then close a socket: its port is (almost certainly) refused now.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  const std::string url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/v1/x";
  ClientHarness h(client_options());
  RequestRecord& r = h.add(url);
  h.start_all_and_run();
  EXPECT_EQ(r.error, ErrorKind::connect);
  EXPECT_NE(r.error_message.find(url), std::string::npos) << r.error_message;
  EXPECT_EQ(r.http_status, 0);
  EXPECT_EQ(r.send_ns, 0);
  EXPECT_GT(r.end_ns, 0);
  EXPECT_EQ(h.parsers[0]->end_calls, 0);
}

TEST_P(HttpClientTest, Non2xxBodyGoesToTheAdapter) {
  const std::string body = R"({"error":{"message":"maximum context length is 8192","code":400}})";
  FakeServer server([&](const SeenRequest&, FakeConnection& conn) {
    conn.send_full(400, "application/json", body);
  });
  ClientHarness h(client_options());
  RequestRecord& r = h.add(server.url());
  h.start_all_and_run();
  EXPECT_EQ(r.error, ErrorKind::client_error);
  EXPECT_EQ(r.http_status, 400);
  EXPECT_EQ(h.adapter.http_error_calls, 1);
  EXPECT_EQ(h.adapter.last_error_body, body);
  EXPECT_EQ(r.bytes_received, static_cast<std::int64_t>(body.size()));
  EXPECT_EQ(h.parsers[0]->bytes_calls, 0);
  EXPECT_EQ(h.parsers[0]->end_calls, 0);
}

TEST_P(HttpClientTest, Non2xxWithEmptyBodyStillReported) {
  FakeServer server(
      [](const SeenRequest&, FakeConnection& conn) { conn.send_full(503, "text/plain", ""); });
  ClientHarness h(client_options());
  RequestRecord& r = h.add(server.url());
  h.start_all_and_run();
  EXPECT_EQ(r.error, ErrorKind::server_error);
  EXPECT_EQ(r.http_status, 503);
  EXPECT_EQ(h.adapter.http_error_calls, 1);
}

TEST_P(HttpClientTest, HtmlAnswerIsBadPayload) {
  FakeServer server([](const SeenRequest&, FakeConnection& conn) {
    conn.send_full(200, "text/html; charset=utf-8", "<html><body>It works!</body></html>");
  });
  ClientHarness h(client_options());
  RequestRecord& r = h.add(server.url());
  h.start_all_and_run();
  EXPECT_EQ(r.error, ErrorKind::bad_payload);
  EXPECT_NE(r.error_message.find("text/html"), std::string::npos) << r.error_message;
  EXPECT_NE(r.error_message.find("It works!"), std::string::npos) << r.error_message;
  EXPECT_EQ(h.parsers[0]->bytes_calls, 0);
}

TEST_P(HttpClientTest, NdjsonAndJsonAreStreamed) {
  FakeServer server([](const SeenRequest&, FakeConnection& conn) {
    conn.send_chunked_head(200, "application/x-ndjson");
    conn.send_chunk(sse_event("a"));
    conn.send_chunk(kSseDone);
    conn.end_chunks();
  });
  ClientHarness h(client_options());
  RequestRecord& r = h.add(server.url());
  h.start_all_and_run();
  EXPECT_TRUE(r.ok()) << r.error_message;
  EXPECT_GE(h.parsers[0]->bytes_calls, 1);
}

TEST_P(HttpClientTest, CutStreamEndsInTheParser) {
  FakeServer server([](const SeenRequest&, FakeConnection& conn) {
    conn.send_chunked_head(200, "text/event-stream");
    conn.send_chunk(sse_event("a"));
    conn.send_chunk(sse_event("b"));
    conn.close_after();  // no terminating chunk, no [DONE]
  });
  ClientHarness h(client_options());
  RequestRecord& r = h.add(server.url());
  h.start_all_and_run();
  EXPECT_EQ(h.parsers[0]->end_calls, 1);
  EXPECT_EQ(r.error, ErrorKind::truncated);
  EXPECT_NE(r.error_message.find("transport"), std::string::npos) << r.error_message;
  EXPECT_EQ(r.token_event_ns.size(), 2u);
  EXPECT_EQ(r.http_status, 200);
}

TEST_P(HttpClientTest, EmptyReplyWithoutStatusIsTruncated) {
  FakeServer server([](const SeenRequest&, FakeConnection& conn) { conn.close_after(); });
  ClientHarness h(client_options());
  RequestRecord& r = h.add(server.url());
  h.start_all_and_run();
  EXPECT_EQ(r.error, ErrorKind::truncated);
  EXPECT_NE(r.error_message.find("no response"), std::string::npos) << r.error_message;
  EXPECT_EQ(r.retries, 0);  // a fresh connection: nothing stale to retry
}

// The server answers the first request, then closes the kept-alive connection just as the
// second request arrives on it (uvicorn's idle close racing our reuse).
void stale_retry_case(const http::ClientOptions& base, bool reset, bool our_retry = true,
                      bool expect_ok = true) {
  FakeServer server([reset](const SeenRequest& req, FakeConnection& conn) {
    if (req.connection == 0 && req.on_connection == 1) {
      conn.close_after(reset);
      return;
    }
    answer_sse(conn, 1);
  });
  http::ClientOptions options = base;
  options.retry_stale_connection = our_retry;
  ClientHarness h(options);
  h.add(server.url());
  h.add(server.url());
  h.start(0);
  h.run();
  h.start(1);
  h.run();
  EXPECT_TRUE(h.records[0].ok()) << h.records[0].error_message;
  EXPECT_EQ(h.records[0].retries, 0);
  if (!expect_ok) {
    EXPECT_EQ(h.records[1].error, ErrorKind::truncated);
    EXPECT_EQ(h.records[1].retries, 0);
    EXPECT_EQ(server.requests().size(), 2u);
    return;
  }
  EXPECT_TRUE(h.records[1].ok()) << h.records[1].error_message;
  EXPECT_EQ(h.records[1].retries, 1);
  EXPECT_EQ(server.connections(), 2);
  EXPECT_EQ(server.requests().size(), 3u);
}

TEST_P(HttpClientTest, StaleKeepAliveClosedIsRetriedOnceAndCounted) {
  stale_retry_case(client_options(), false);
}
TEST_P(HttpClientTest, StaleKeepAliveResetIsRetriedOnceAndCounted) {
  stale_retry_case(client_options(), true);
}
// With our retry off: libcurl retries a FIN on a reused connection itself, invisibly (the
// pre-request callback running twice is how it is counted); the plain transport does not.
TEST_P(HttpClientTest, WithoutOurRetryOnlyCurlRetriesAClosedConnection) {
  stale_retry_case(client_options(), false, false, on_curl());
}
// libcurl 7.88 also retries a RST on a reused connection before any byte; still counted once.
TEST_P(HttpClientTest, WithoutOurRetryOnlyCurlRetriesAResetConnection) {
  stale_retry_case(client_options(), true, false, on_curl());
}

TEST_P(HttpClientTest, StaleRetryHappensOnlyOnce) {
  // Every request after the first on any connection is dropped: the retry (on a fresh
  // connection, request #0 there) succeeds; so make the fresh one fail too by dropping all but
  // the very first request.
  FakeServer server([](const SeenRequest& req, FakeConnection& conn) {
    if (req.connection == 0 && req.on_connection == 0) {
      answer_sse(conn, 1);
      return;
    }
    conn.close_after(true);
  });
  ClientHarness h(client_options());
  h.add(server.url());
  h.add(server.url());
  h.start(0);
  h.run();
  h.start(1);
  h.run();
  EXPECT_TRUE(h.records[0].ok());
  EXPECT_EQ(h.records[1].error, ErrorKind::truncated);
  EXPECT_EQ(h.records[1].retries, 1);
  EXPECT_EQ(server.requests().size(), 3u);
}

TEST_P(HttpClientTest, ServerClosingAfterNRequestsLosesNothing) {
  FakeServerOptions options;
  options.max_requests_per_connection = 2;  // llama.cpp: Keep-Alive max=100, then close
  FakeServer server([](const SeenRequest&, FakeConnection& conn) { answer_sse(conn, 1); }, options);
  ClientHarness h(client_options());
  for (int i = 0; i < 6; ++i) h.add(server.url());
  for (std::size_t i = 0; i < 6; ++i) {
    h.start(i);
    h.run();
  }
  for (const auto& r : h.records) EXPECT_TRUE(r.ok()) << r.error_message;
  EXPECT_EQ(server.connections(), 3);
}

TEST_P(HttpClientTest, IdleClosedConnectionIsReplaced) {
  FakeServerOptions options;
  options.idle_close_ms = 150;  // uvicorn closes idle keep-alive connections (5 s there)
  FakeServer server([](const SeenRequest&, FakeConnection& conn) { answer_sse(conn, 1); }, options);
  ClientHarness h(client_options());
  h.add(server.url());
  h.add(server.url());
  h.start(0);
  h.run();
  usleep(400'000);
  h.start(1);
  h.run();
  EXPECT_TRUE(h.records[0].ok());
  EXPECT_TRUE(h.records[1].ok()) << h.records[1].error_message;
  EXPECT_EQ(server.connections(), 2);
  EXPECT_EQ(h.client.connections_opened(), 2);
}

TEST_P(HttpClientTest, BodyEndingWithTheConnectionIsWhole) {
  // No length and not chunked (HTTP/1.0 style): the close is the body's end.
  FakeServer server([](const SeenRequest&, FakeConnection& conn) {
    conn.send("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n" +
              sse_event("a") + sse_event("b") + std::string(kSseDone));
    conn.close_after();
  });
  ClientHarness h(client_options());
  RequestRecord& r = h.add(server.url());
  h.start_all_and_run();
  EXPECT_TRUE(r.ok()) << r.error_message;
  EXPECT_EQ(r.token_event_ns.size(), 2u);
  EXPECT_EQ(h.parsers[0]->end_calls, 1);
}

TEST_P(HttpClientTest, AnswerThatIsNotHttpIsNoResponse) {
  FakeServer server([](const SeenRequest&, FakeConnection& conn) {
    conn.send("SSH-2.0-OpenSSH_9.2\r\nProtocol mismatch.\r\n\r\n");
    conn.close_after();
  });
  ClientHarness h(client_options());
  RequestRecord& r = h.add(server.url());
  h.start_all_and_run();
  EXPECT_EQ(r.error, ErrorKind::truncated);
  EXPECT_NE(r.error_message.find("no response from " + server.url()), std::string::npos)
      << r.error_message;
  EXPECT_EQ(r.http_status, 0);
  EXPECT_EQ(h.parsers[0]->end_calls, 0);
}

TEST_P(HttpClientTest, HeaderLargerThanTheReadBufferIsRead) {
  // 120 KiB of header: more than one 64 KiB read, each line under curl's 100 KiB cap.
  const std::string padding = padding_headers(3, 40 * 1024);
  FakeServer server(
      [&](const SeenRequest&, FakeConnection& conn) { answer_sse(conn, 1, padding); });
  ClientHarness h(client_options());
  RequestRecord& r = h.add(server.url());
  h.start_all_and_run();
  EXPECT_TRUE(r.ok()) << r.error_message;
  EXPECT_EQ(r.token_event_ns.size(), 1u);
}

TEST_P(HttpClientTest, HeaderOverOneMebibyteFailsTheRequest) {
  const std::string padding = padding_headers(20, 64 * 1024);  // 1.25 MiB
  FakeServer server(
      [&](const SeenRequest&, FakeConnection& conn) { answer_sse(conn, 0, padding); });
  ClientHarness h(client_options());
  RequestRecord& r = h.add(server.url());
  h.start_all_and_run();
  EXPECT_EQ(r.error, ErrorKind::oversized) << r.error_message;
  EXPECT_NE(r.error_message.find("too large"), std::string::npos) << r.error_message;
  if (!on_curl()) {  // curl takes the status from the status line, before the header ends
    EXPECT_EQ(r.http_status, 0);
    EXPECT_NE(r.error_message.find("header"), std::string::npos) << r.error_message;
  }
}

TEST_P(HttpClientTest, LocalhostFindsAnIpv4OnlyServer) {
  // The fake server listens on 127.0.0.1 only; "localhost" may resolve to ::1 first.
  FakeServer server([](const SeenRequest&, FakeConnection& conn) { answer_sse(conn, 1); });
  ClientHarness h(client_options());
  RequestRecord& r = h.add("http://localhost:" + std::to_string(server.port()) + "/v1/test");
  h.start_all_and_run();
  EXPECT_TRUE(r.ok()) << r.error_message;
  const auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].headers.at("host"), "localhost:" + std::to_string(server.port()));
}

TEST_P(HttpClientTest, LargeBodyGoesOutWhole) {
  // Far more than a socket buffer: the request is written over many writable wake-ups.
  std::string body = "{\"prompt\":\"" + std::string(8 * 1024 * 1024, 'a') + "\"}";
  FakeServer server([](const SeenRequest&, FakeConnection& conn) { answer_sse(conn, 1); });
  ClientHarness h(client_options());
  RequestRecord& r = h.add(server.url(), body);
  h.start_all_and_run();
  EXPECT_TRUE(r.ok()) << r.error_message;
  const auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].body, body);
}

}  // namespace
}  // namespace servemeter::testing
