#include "telemetry/server_info.h"

#include <gtest/gtest.h>

#include "http/fake_server.h"
#include "sim/sim_server.h"
#include "sim/sim_test_util.h"
#include "telemetry/utf8_excerpt.h"

namespace servemeter::telemetry {
namespace {

using servemeter::testing::FakeConnection;
using servemeter::testing::FakeServer;
using servemeter::testing::SeenRequest;

// Answers GETs of `path` with `body` (JSON), 404 otherwise; POSTs to /api/show echo the model.
FakeServer serving(std::string path, std::string body) {
  return FakeServer([path, body](const SeenRequest& req, FakeConnection& conn) {
    if (req.method == "POST" && req.path == "/api/show") {
      const auto j = nlohmann::json::parse(req.body, nullptr, false);
      conn.send_full(200, "application/json",
                     nlohmann::json{{"modelfile", "FROM " + j.value("model", std::string("?"))},
                                    {"details", {{"family", "llama"}}}}
                         .dump());
      return;
    }
    if (req.path == path)
      conn.send_full(200, "application/json", body);
    else
      conn.send_full(404, "text/plain", "404 page not found");
  });
}

std::string base(const FakeServer& s) {
  return "http://127.0.0.1:" + std::to_string(s.port());
}

TEST(ServerInfo, VllmVersion) {
  FakeServer server = serving("/version", R"({"version":"0.15.1"})");
  const auto entries = fetch_server_info("vllm", base(server), "m");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].source_url, base(server) + "/version");
  EXPECT_EQ(entries[0].status, 200);
  EXPECT_EQ(entries[0].body["version"], "0.15.1");
  const nlohmann::json j = server_info_json(entries);
  EXPECT_EQ(j[0]["body"]["version"], "0.15.1");
  EXPECT_FALSE(j[0].contains("error"));
}

TEST(ServerInfo, SglangFallsBackToServerInfo) {
  FakeServer server = serving("/server_info", R"({"version":"0.5.9","context_length":8192})");
  const auto entries = fetch_server_info("sglang", base(server), "m");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].source_url, base(server) + "/server_info");
  EXPECT_EQ(entries[0].body["context_length"], 8192);
  ASSERT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(server.requests()[0].path, "/get_server_info");
}

TEST(ServerInfo, SglangWithNeitherEndpointKeepsBothAnswers) {
  FakeServer server = serving("/elsewhere", "{}");
  const auto entries = fetch_server_info("sglang", base(server), "m");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].status, 404);
  EXPECT_EQ(entries[0].body, "404 page not found");  // not JSON: kept as text
  EXPECT_EQ(entries[1].source_url, base(server) + "/server_info");
}

TEST(ServerInfo, OllamaVersionAndShowWithTheModelPosted) {
  FakeServer server = serving("/api/version", R"({"version":"0.16.3"})");
  const auto entries = fetch_server_info("ollama", base(server), "llama3.1:8b");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].body["version"], "0.16.3");
  EXPECT_EQ(entries[1].source_url, base(server) + "/api/show");
  EXPECT_EQ(entries[1].status, 200);
  EXPECT_EQ(entries[1].body["modelfile"], "FROM llama3.1:8b");
  const auto seen = server.requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].method, "POST");
  EXPECT_EQ(seen[1].headers.at("content-type"), "application/json");
  EXPECT_EQ(nlohmann::json::parse(seen[1].body), (nlohmann::json{{"model", "llama3.1:8b"}}));
}

TEST(ServerInfo, LlamaServerPropsAndUnknownFrameworks) {
  FakeServer server = serving("/props", R"({"total_slots":4,"build_info":"b0-unknown"})");
  const auto entries = fetch_server_info("llamacpp", base(server), "m");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].body["total_slots"], 4);
  EXPECT_TRUE(fetch_server_info("openai", base(server), "m").empty());
}

TEST(ServerInfo, TextBodiesAreCutAndMadeValidUtf8) {
  FakeServer server([](const SeenRequest&, FakeConnection& conn) {
    conn.send_full(200, "text/plain", "bad \xff\xfe bytes " + std::string(10000, 'x'));
  });
  const auto entries = fetch_server_info("vllm", base(server), "m");
  ASSERT_EQ(entries.size(), 1u);
  ASSERT_TRUE(entries[0].body.is_string());
  const std::string text = entries[0].body.get<std::string>();
  EXPECT_LE(text.size(), 4096u);
  EXPECT_EQ(text.rfind("bad \xEF\xBF\xBD\xEF\xBF\xBD bytes xxx", 0), 0u);
  EXPECT_NO_THROW(server_info_json(entries).dump());
}

TEST(ServerInfo, AnUnreachableServerSaysSoWithinTheTimeout) {
  TelemetryHttpOptions o;
  o.timeout_ms = 2000;
  const auto entries = fetch_server_info("llamacpp", "http://127.0.0.1:1", "m", o);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].status, 0);
  EXPECT_TRUE(entries[0].body.is_null());
  EXPECT_FALSE(entries[0].error.empty());
  EXPECT_EQ(server_info_json(entries)[0]["error"], entries[0].error);
}

TEST(ServerInfo, FromTheSimulator) {
  auto vllm = sim::SimServer::start(simtest::fast_options("vllm"));
  auto v = fetch_server_info("vllm", "http://127.0.0.1:" + std::to_string(vllm->port()), "m");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].status, 200);
  EXPECT_TRUE(v[0].body["version"].is_string());

  auto sglang = sim::SimServer::start(simtest::fast_options("sglang"));
  auto s = fetch_server_info("sglang", "http://127.0.0.1:" + std::to_string(sglang->port()), "m");
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].status, 200);
  EXPECT_TRUE(s[0].body.contains("max_running_requests"));
}

TEST(Utf8Excerpt, CutsOnCharacterBoundaries) {
  EXPECT_EQ(utf8_excerpt("한국어", 7), "한국");  // 3 bytes each
  EXPECT_EQ(utf8_excerpt("ok", 100), "ok");
  EXPECT_EQ(utf8_excerpt("\xc0\xaf", 100), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '/'
  EXPECT_EQ(utf8_excerpt("\xed\xa0\x80", 100),
            "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
}

}  // namespace
}  // namespace servemeter::telemetry
