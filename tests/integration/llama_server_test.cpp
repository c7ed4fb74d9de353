// servemeter against a real inference engine it did not write: llama.cpp's llama-server with a
// tiny random-weight model that carries the real Llama 3 vocabulary and chat template.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/metrics.h"
#include "core/statistics.h"
#include "integration/llama_fixture.h"
#include "load/run_cell.h"
#include "protocol/api_adapter.h"
#include "support/run_process.h"
#include "support/temp_dir.h"
#include "workload/prompt_synthesis.h"

namespace servemeter {
namespace {

struct Cell {
  std::string api = "openai-chat";
  std::vector<int> input_tokens;  // one entry per request
  int output_tokens = 16;
  int concurrency = 1;
  bool same_prompt = false;
  http::ClientOptions::Transport transport = http::ClientOptions::Transport::automatic;
};

load::CellResult run(const std::string& base_url, const Cell& c) {
  const auto adapter = make_adapter(c.api);
  load::CellInput input;
  input.base_url = base_url;
  input.adapter = adapter.get();
  input.load.mode = load::ClosedLoop{c.concurrency};
  input.client.transport = c.transport;
  input.cell = "llama";
  for (std::size_t i = 0; i < c.input_tokens.size(); ++i) {
    GenerationRequest request;
    request.model = "tiny-llama3";
    request.prompt = synthesize_prompt(static_cast<std::size_t>(c.input_tokens[i]),
                                       c.same_prompt ? 1 : 1000 + i);
    request.max_tokens = c.output_tokens;
    load::PreparedRequest prepared;
    prepared.request = request;
    prepared.requested_input_tokens = c.input_tokens[i];
    prepared.requested_output_tokens = c.output_tokens;
    input.requests.push_back(prepared);
  }
  load::NullProgress quiet;
  return load::run_cell(input, quiet);
}

TEST(LlamaServer, ExactOutputLengthServerCountsAndTimings) {
  START_LLAMA_SERVER_OR_SKIP(server, {.slots = 2, .context = 4096});
  for (const std::string api : {"openai-chat", "openai-completions"}) {
    Cell cell;
    cell.api = api;
    cell.input_tokens = {64, 64, 64};
    cell.output_tokens = 24;
    const auto result = run(server.base_url(), cell);
    for (const auto& r : result.records) {
      ASSERT_TRUE(r.ok()) << api << ": " << r.error_message << "\n" << server.log_tail();
      EXPECT_EQ(r.output_tokens, 24) << api;  // ignore_eos honoured, counted by the server
      EXPECT_EQ(r.output_tokens_source, TokenCountSource::server) << api;
      // The server counts BOS (and, for chat, the template's tokens) on top of our prompt.
      EXPECT_GT(r.input_tokens, 64) << api;
      ASSERT_TRUE(r.server_timing.prompt_ms && r.server_timing.predicted_ms) << api;
      // The client's TTFT includes the server's prefill: a TTFT stopped by the role-only first
      // chunk, or by anything before the first token, could come out below it.
      EXPECT_GE(*ttft_ms(r), *r.server_timing.prompt_ms) << api;
      EXPECT_GE(*e2el_ms(r), *r.server_timing.prompt_ms + *r.server_timing.predicted_ms) << api;
      EXPECT_EQ(r.first_token_ns, r.token_event_ns.front());
    }
  }
}

TEST(LlamaServer, PromptOverContextIsRecorded400AndRunGoesOn) {
  START_LLAMA_SERVER_OR_SKIP(server, {.slots = 1, .context = 1024});
  Cell cell;
  cell.input_tokens = {32, 3000, 32};
  cell.output_tokens = 8;
  const auto result = run(server.base_url(), cell);
  ASSERT_EQ(result.records.size(), 3u);
  EXPECT_TRUE(result.records[0].ok()) << result.records[0].error_message;
  EXPECT_EQ(result.records[1].error, ErrorKind::client_error);
  EXPECT_EQ(result.records[1].http_status, 400);
  EXPECT_NE(result.records[1].error_message.find("context"), std::string::npos)
      << result.records[1].error_message;
  EXPECT_TRUE(result.records[2].ok()) << result.records[2].error_message;
}

TEST(LlamaServer, ConcurrencyBeyondSlotsQueuesVisiblyInTtft) {
  START_LLAMA_SERVER_OR_SKIP(server, {.slots = 2, .context = 8192});
  Cell cell;
  cell.input_tokens = std::vector<int>(6, 256);
  cell.output_tokens = 32;
  cell.concurrency = 6;
  const auto result = run(server.base_url(), cell);
  std::vector<double> ttft;
  for (const auto& r : result.records) {
    ASSERT_TRUE(r.ok()) << r.error_message;
    ttft.push_back(*ttft_ms(r));
  }
  std::sort(ttft.begin(), ttft.end());
  // Two slots: the last two requests wait for two whole generations before their prefill.
  EXPECT_GT(ttft.back(), 2 * ttft.front()) << "min " << ttft.front() << " max " << ttft.back();
  // The server's own prefill time leaves the queueing out; the client's TTFT does not.
  double max_prompt_ms = 0;
  for (const auto& r : result.records)
    max_prompt_ms = std::max(max_prompt_ms, *r.server_timing.prompt_ms);
  EXPECT_GT(ttft.back(), max_prompt_ms);
}

TEST(LlamaServer, RepeatedPrefixIsReusedAndLowersTtft) {
  START_LLAMA_SERVER_OR_SKIP(server, {.slots = 1, .context = 4096});
  Cell cell;
  cell.input_tokens = {1500, 1500};
  cell.output_tokens = 4;
  cell.same_prompt = true;
  const auto result = run(server.base_url(), cell);
  const auto& first = result.records[0];
  const auto& second = result.records[1];
  ASSERT_TRUE(first.ok() && second.ok()) << first.error_message << second.error_message;
  EXPECT_LT(first.cached_tokens, 100);
  EXPECT_GT(second.cached_tokens, 1400);
  EXPECT_EQ(second.server_timing.cache_n, second.cached_tokens);
  EXPECT_LT(*ttft_ms(second), 0.5 * *ttft_ms(first))
      << "uncached " << *ttft_ms(first) << " ms, cached " << *ttft_ms(second) << " ms";
}

// llama-server closes its end after each streamed answer. Writing the next request into that
// connection and retrying it on a fresh one is a retry the server never caused: a connection
// known to be closed is replaced before the request goes out, and nothing counts as a retry.
TEST(LlamaServer, ConnectionsClosedAfterEachAnswerCauseNoRetries) {
  START_LLAMA_SERVER_OR_SKIP(server, {.slots = 4, .context = 4096});
  using Transport = http::ClientOptions::Transport;
  for (const auto& [requests, concurrency] : {std::pair{9, 1}, std::pair{16, 4}}) {
    for (const auto& [api, transport] : {std::pair{"openai-chat", Transport::automatic},
                                         std::pair{"openai-completions", Transport::automatic},
                                         std::pair{"openai-chat", Transport::curl}}) {
      const std::string how = std::string(api) + (transport == Transport::curl ? " over curl" : "");
      Cell cell;
      cell.api = api;
      cell.transport = transport;
      cell.input_tokens = std::vector<int>(static_cast<std::size_t>(requests), 32);
      cell.output_tokens = 8;
      cell.concurrency = concurrency;
      const auto result = run(server.base_url(), cell);
      int retries = 0;
      for (const auto& r : result.records) {
        EXPECT_TRUE(r.ok()) << how << ": " << r.error_message;
        retries += r.retries;
      }
      std::printf("[ llama    ] %s, %d requests at concurrency %d: %d retries\n", how.c_str(),
                  requests, concurrency, retries);
      EXPECT_EQ(retries, 0) << how << ", " << requests << " requests at concurrency "
                            << concurrency;
    }
  }
}

TEST(LlamaServer, CliRunThroughLlamacppPresetKeepsServerTimings) {
  START_LLAMA_SERVER_OR_SKIP(server, {.slots = 4, .context = 8192});
  const testsupport::TempDir dir;
  const auto r = testsupport::run_process(
      {SERVEMETER_BINARY, "run",         "--framework",     "llamacpp",
       "--model",         "llama3.1-8b", "--base-url",      server.base_url(),
       "--input-tokens",  "64",          "--output-tokens", "16",
       "--concurrency",   "4",           "--num-requests",  "8",
       "--warmup",        "1",           "--no-progress",   "--results-dir",
       dir.string()},
      300);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream results(dir / "llamacpp" / "llamacpp_llama3.1-8b_results.json");
  const auto doc = nlohmann::json::parse(results);
  EXPECT_EQ(doc["simulated"], false);
  EXPECT_DOUBLE_EQ(doc["results"][0]["success_rate"].get<double>(), 100.0);
  EXPECT_EQ(doc["results"][0]["total_output_tokens_total"].get<double>(), 8 * 16);
  std::ifstream requests(dir / "llamacpp" / "llamacpp_llama3.1-8b_requests.jsonl");
  int lines = 0;
  for (std::string line; std::getline(requests, line);) {
    const auto j = nlohmann::json::parse(line);
    if (j["type"] != "request") continue;
    ++lines;
    EXPECT_TRUE(j["server_timing"]["prompt_ms"].is_number()) << line;
    EXPECT_TRUE(j["server_timing"]["predicted_ms"].is_number()) << line;
  }
  EXPECT_EQ(lines, 9);
}

}  // namespace
}  // namespace servemeter
