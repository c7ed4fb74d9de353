#include "orchestrate/ollama_pull.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "http/fake_server.h"
#include "sim/sim_server.h"

namespace servemeter {
namespace {

const std::string kFixture =
    std::string(SERVEMETER_FIXTURE_DIR) + "/ollama/ollama_api_pull_stream.ndjson";

std::vector<std::string> fixture_lines() {
  std::ifstream in(kFixture);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(OllamaPull, ParsesTheRecordedPullStream) {
  const auto lines = fixture_lines();
  ASSERT_EQ(lines.size(), 12u) << kFixture;
  const auto first = parse_pull_line(lines[0]);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, "pulling manifest");
  EXPECT_FALSE(first->total);
  const auto started = parse_pull_line(lines[1]);
  EXPECT_EQ(started->status, "pulling e7b273f96360");
  EXPECT_EQ(started->digest.rfind("sha256:e7b273f96360", 0), 0u);
  EXPECT_EQ(started->total, 13780154624);
  EXPECT_FALSE(started->completed);  // omitted while 0
  const auto half = parse_pull_line(lines[3]);
  EXPECT_EQ(half->completed, 6890077312);
  EXPECT_EQ(parse_pull_line(lines.back())->status, "success");
  for (const auto& line : lines) EXPECT_TRUE(parse_pull_line(line)->error.empty()) << line;
}

TEST(OllamaPull, ErrorAndUnreadableLinesAreErrors) {
  EXPECT_EQ(parse_pull_line(R"({"error":"pull model manifest: file does not exist"})")->error,
            "pull model manifest: file does not exist");
  EXPECT_NE(parse_pull_line("<html>")->error.find("unreadable line"), std::string::npos);
  EXPECT_FALSE(parse_pull_line("  \r"));
}

TEST(OllamaPull, ProgressShowsEachStatusAndTheBigLayerByTenths) {
  PullProgress progress;
  std::vector<std::string> shown;
  for (const auto& line : fixture_lines())
    if (const auto text = progress.on_event(*parse_pull_line(line))) shown.push_back(*text);
  ASSERT_GE(shown.size(), 8u);
  EXPECT_EQ(shown[0], "pulling manifest");
  EXPECT_EQ(shown[1], "pulling e7b273f96360: 0 B of 13.8 GB (0%)");
  // 268 MB is still in the first tenth: not shown.
  EXPECT_EQ(shown[2], "pulling e7b273f96360: 6.9 GB of 13.8 GB (50%)");
  EXPECT_EQ(shown[3], "pulling e7b273f96360: 13.8 GB of 13.8 GB (100%)");
  EXPECT_EQ(shown[4], "pulling 51468a0fd901: 7.2 kB of 7.2 kB (100%)");
  EXPECT_EQ(shown[shown.size() - 3], "verifying sha256 digest");
  EXPECT_EQ(shown.back(), "success");
}

TEST(OllamaPull, AModelTheServerListsIsNotPulledAgain) {
  sim::SimOptions options;
  options.profile = "ollama";
  options.model = "gpt-oss:20b";
  const auto server = sim::SimServer::start(options);
  const std::string url = "http://127.0.0.1:" + std::to_string(server->port());
  const PullResult result = ensure_ollama_model(url, "gpt-oss:20b");
  EXPECT_TRUE(result.ok) << result.message;
  EXPECT_TRUE(result.already_present);
}

TEST(OllamaPull, AMissingModelIsPulledWithProgress) {
  sim::SimOptions options;
  options.profile = "ollama";
  options.model = "gpt-oss:20b";
  const auto server = sim::SimServer::start(options);
  const std::string url = "http://127.0.0.1:" + std::to_string(server->port());
  std::ostringstream progress;
  PullOptions pull;
  pull.progress = &progress;
  const PullResult result = ensure_ollama_model(url, "llama3.1:8b", pull);
  EXPECT_TRUE(result.ok) << result.message;
  EXPECT_FALSE(result.already_present);
  EXPECT_NE(progress.str().find("ollama: pulling llama3.1:8b"), std::string::npos)
      << progress.str();
  EXPECT_NE(progress.str().find("ollama: success"), std::string::npos) << progress.str();
}

TEST(OllamaPull, AnErrorLineFailsThePullWithTheServersWords) {
  testing::FakeServer server([](const testing::SeenRequest& request, testing::FakeConnection& c) {
    if (request.path != "/api/pull") {
      c.send_full(404, "text/plain", "404 page not found");
      return;
    }
    c.send_chunked_head(200, "application/x-ndjson");
    c.send_chunk("{\"status\":\"pulling manifest\"}\n");
    c.send_chunk("{\"error\":\"pull model manifest: file does not exist\"}\n");
    c.end_chunks();
  });
  const PullResult result = ensure_ollama_model(server.url(""), "no-such-model:1b");
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.message,
            "ollama could not pull 'no-such-model:1b': pull model manifest: file does not exist "
            "(check the model name at https://ollama.com/library, and that the server can reach "
            "the registry)");
}

TEST(OllamaPull, AStreamThatEndsBeforeSuccessFails) {
  testing::FakeServer server([](const testing::SeenRequest& request, testing::FakeConnection& c) {
    if (request.path != "/api/pull") {
      c.send_full(404, "text/plain", "404 page not found");
      return;
    }
    c.send_chunked_head(200, "application/x-ndjson");
    c.send_chunk("{\"status\":\"pulling e7b273f96360\",\"total\":100,\"completed\":10}\n");
    c.end_chunks();
  });
  const PullResult result = ensure_ollama_model(server.url(""), "m:1b");
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.message.find("ended before 'success' (last status: pulling e7b273f96360"),
            std::string::npos)
      << result.message;
}

TEST(OllamaPull, NoServerIsReported) {
  const PullResult result = ensure_ollama_model("http://127.0.0.1:9", "m:1b");
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.message.find("ollama could not pull 'm:1b'"), std::string::npos)
      << result.message;
}

}  // namespace
}  // namespace servemeter
