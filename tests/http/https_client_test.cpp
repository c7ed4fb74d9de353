// https:// runs on libcurl: streaming, keep-alive and certificate checks against a TLS fake
// server whose certificate (tests/support/tls) is trusted only when the client is told to.
#include <gtest/gtest.h>

#include "http/client_harness.h"
#include "http/fake_server.h"

namespace servemeter {
namespace {

using testing::ClientHarness;
using testing::FakeConnection;
using testing::FakeServer;
using testing::FakeServerOptions;
using testing::SeenRequest;

FakeServerOptions tls_server() {
  FakeServerOptions options;
  options.tls = true;
  return options;
}

void answer_three_events(const SeenRequest&, FakeConnection& conn) {
  testing::answer_sse(conn, 3);
}

http::ClientOptions trusting_the_test_ca() {
  http::ClientOptions options;
  options.tls.ca_file = testing::tls_ca_file();
  return options;
}

TEST(HttpsClient, StreamsAndReusesTheConnection) {
  FakeServer server(answer_three_events, tls_server());
  ASSERT_EQ(server.url().rfind("https://", 0), 0u);
  ClientHarness h(trusting_the_test_ca());
  RequestRecord& first = h.add(server.url("/v1/chat/completions"));
  RequestRecord& second = h.add(server.url("/v1/chat/completions"));
  h.start(0);
  h.run();
  h.start(1);
  h.run();
  for (const RequestRecord* r : {&first, &second}) {
    ASSERT_TRUE(r->ok()) << r->error_message;
    EXPECT_EQ(r->http_status, 200);
    EXPECT_EQ(r->token_event_ns.size(), 3u);
    EXPECT_GT(r->first_token_ns, r->send_ns);
  }
  EXPECT_EQ(server.connections(), 1);
  EXPECT_EQ(h.client.connections_opened(), 1);
  const auto seen = server.requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].on_connection, 1);
  EXPECT_EQ(seen[0].body, "{\"prompt\":\"hi\"}");
}

TEST(HttpsClient, AnUntrustedCertificateIsAConnectErrorThatSaysSo) {
  FakeServer server(answer_three_events, tls_server());
  ClientHarness h;  // the system's CA store, which does not hold the test certificate
  RequestRecord& r = h.add(server.url());
  h.start_all_and_run();
  EXPECT_EQ(r.error, ErrorKind::connect);
  EXPECT_NE(r.error_message.find("certificate"), std::string::npos) << r.error_message;
  EXPECT_TRUE(server.requests().empty());
}

TEST(HttpsClient, InsecureAcceptsAnyCertificate) {
  FakeServer server(answer_three_events, tls_server());
  http::ClientOptions options;
  options.tls.verify = false;
  ClientHarness h(options);
  RequestRecord& r = h.add(server.url());
  h.start_all_and_run();
  ASSERT_TRUE(r.ok()) << r.error_message;
  EXPECT_EQ(r.token_event_ns.size(), 3u);
}

}  // namespace
}  // namespace servemeter
