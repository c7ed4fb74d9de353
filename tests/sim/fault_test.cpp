// Fault injection and the truth log.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "core/clock.h"
#include "sim/sim_server.h"
#include "sim_test_util.h"

namespace {

using nlohmann::json;
using servemeter::sim::SimOptions;
using servemeter::sim::SimServer;
using namespace simtest;

const std::string kChat =
    R"({"model":"meta-llama/Llama-3.1-8B-Instruct","messages":[{"role":"user","content":"Hi"}],"max_tokens":20,"ignore_eos":true,"stream":true,"stream_options":{"include_usage":true}})";

SimOptions fixed(const std::string& profile) {
  SimOptions o = fast_options(profile);
  o.time_scale = 1;
  o.ttft_ms = 2;
  o.itl_ms = 1;
  return o;
}

int content_events(const std::string& body) {
  int n = 0;
  for (const auto& e : sse_events(body)) {
    if (e.find("\"content\":\"") != std::string::npos &&
        e.find("\"content\":\"\"") == std::string::npos)
      ++n;
  }
  return n;
}

TEST(SimFaults, StatusFaultHitsAboutTheGivenFraction) {
  SimOptions o = fixed("vllm");
  o.fault_status = 503;
  o.fault_rate = 0.5;
  auto server = SimServer::start(o);
  int faults = 0;
  for (int i = 0; i < 40; ++i) {
    const Response r = request(server->port(), "POST", "/v1/chat/completions", kChat);
    if (r.status == 503) {
      ++faults;
      EXPECT_EQ(json::parse(r.body)["error"]["code"], 503);
    } else {
      EXPECT_EQ(r.status, 200);
    }
  }
  EXPECT_GT(faults, 8);
  EXPECT_LT(faults, 32);
}

TEST(SimFaults, StatusFaultRateOneAnswersEveryRequest) {
  for (int status : {429, 500, 503}) {
    SimOptions o = fixed("ollama");
    o.fault_status = status;
    o.fault_rate = 1.0;
    auto server = SimServer::start(o);
    const Response r =
        request(server->port(), "POST", "/api/chat",
                R"({"model":"llama3.1:8b","messages":[{"role":"user","content":"Hi"}]})");
    EXPECT_EQ(r.status, status);
    EXPECT_TRUE(json::parse(r.body)["error"].is_string());
  }
}

TEST(SimFaults, RetryAfterIsSentWithTheStatusFaultsOnlyWhenAskedFor) {
  SimOptions o = fixed("vllm");
  o.fault_status = 429;
  o.fault_rate = 1.0;
  {
    auto server = SimServer::start(o);
    const Response r = request(server->port(), "POST", "/v1/chat/completions", kChat);
    EXPECT_EQ(r.status, 429);
    EXPECT_FALSE(r.headers.contains("retry-after"));  // vLLM sends none
  }
  o.retry_after_s = 7;
  auto server = SimServer::start(o);
  const Response r = request(server->port(), "POST", "/v1/chat/completions", kChat);
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.headers.at("retry-after"), "7");
  EXPECT_EQ(json::parse(r.body)["error"]["code"], 429);  // the body is untouched
  // Other answers carry none.
  o.fault_rate = 0;
  auto healthy = SimServer::start(o);
  const Response ok = request(healthy->port(), "POST", "/v1/chat/completions", kChat);
  EXPECT_EQ(ok.status, 200);
  EXPECT_FALSE(ok.headers.contains("retry-after"));
}

TEST(SimFaults, StallPausesTheStreamAfterKTokens) {
  SimOptions o = fixed("vllm");
  o.stall_ms = 300;
  o.stall_after = 5;
  auto server = SimServer::start(o);
  const auto t0 = servemeter::monotonic_ns();
  const Response r = request(server->port(), "POST", "/v1/chat/completions", kChat);
  const auto elapsed_ms = static_cast<double>(servemeter::monotonic_ns() - t0) / 1e6;
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.complete);
  EXPECT_EQ(content_events(r.body), 20);
  EXPECT_GE(elapsed_ms, 300.0);  // 2 + 20 * 1 ms without the stall
}

TEST(SimFaults, DisconnectAfterKTokens) {
  SimOptions o = fixed("vllm");
  o.disconnect_after = 7;
  auto server = SimServer::start(o);
  const Response r = request(server->port(), "POST", "/v1/chat/completions", kChat);
  EXPECT_EQ(r.status, 200);
  EXPECT_FALSE(r.complete);  // no terminal chunk
  EXPECT_EQ(content_events(r.body), 7);
  EXPECT_EQ(r.body.find("[DONE]"), std::string::npos);
}

TEST(SimFaults, MalformedEventIsNotJson) {
  SimOptions o = fixed("vllm");
  o.malformed_rate = 1.0;
  auto server = SimServer::start(o);
  const Response r = request(server->port(), "POST", "/v1/chat/completions", kChat);
  EXPECT_TRUE(r.complete);
  int bad = 0;
  for (const auto& e : sse_events(r.body)) {
    if (e != "[DONE]" && json::parse(e, nullptr, false).is_discarded()) ++bad;
  }
  EXPECT_EQ(bad, 1);
}

TEST(SimFaults, LoadingHealthIs503ThenOk) {
  SimOptions o = fixed("vllm");
  o.loading_s = 0.4;
  auto server = SimServer::start(o);
  EXPECT_EQ(request(server->port(), "GET", "/health").status, 503);
  EXPECT_EQ(request(server->port(), "POST", "/v1/chat/completions", kChat).status, 503);
  std::this_thread::sleep_for(std::chrono::milliseconds(450));
  EXPECT_EQ(request(server->port(), "GET", "/health").status, 200);
  SimOptions l = fixed("llamacpp");
  l.loading_s = 5;
  auto lserver = SimServer::start(l);
  const Response r = request(lserver->port(), "GET", "/health");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(json::parse(r.body)["error"]["code"], 503);
}

TEST(SimFixedTiming, EventsPerWriteStillDeliversEveryToken) {
  SimOptions o = fixed("vllm");
  o.events_per_write = 16;
  o.itl_ms = 0.1;
  auto server = SimServer::start(o);
  const std::string body =
      R"({"model":"meta-llama/Llama-3.1-8B-Instruct","messages":[{"role":"user","content":"Hi"}],"max_tokens":100,"ignore_eos":true,"stream":true,"stream_options":{"include_usage":true}})";
  const Response r = request(server->port(), "POST", "/v1/chat/completions", body);
  EXPECT_EQ(content_events(r.body), 100);
  const auto events = sse_events(r.body);
  const json usage = json::parse(events[events.size() - 2]);
  EXPECT_EQ(usage["usage"]["completion_tokens"], 100);
}

TEST(SimTruthLog, FieldsPresentAndMonotonic) {
  const std::string path = testing::TempDir() + "/truth." + std::to_string(::getpid()) + ".jsonl";
  for (bool fixed_mode : {true, false}) {
    SimOptions o = fixed_mode ? fixed("vllm") : fast_options("vllm");
    o.truth_log = path;
    auto server = SimServer::start(o);
    for (int i = 0; i < 3; ++i) {
      const Response r = request(server->port(), "POST", "/v1/chat/completions", kChat,
                                 {"X-Request-Id: client-" + std::to_string(i)});
      ASSERT_EQ(r.status, 200);
    }
    request(server->port(), "POST", "/v1/chat/completions",
            R"({"model":"nope","messages":[{"role":"user","content":"x"}]})");
    server->stop();
    const auto lines = ndjson_lines(read_file(path));
    ASSERT_EQ(lines.size(), 4u);
    for (int i = 0; i < 3; ++i) {
      const json t = json::parse(lines[static_cast<std::size_t>(i)]);
      for (const char* k :
           {"id", "client_id", "arrival_ns", "read_ns", "first_token_ns", "last_token_ns", "end_ns",
            "input_tokens", "cached_tokens", "output_tokens", "status", "fault"}) {
        EXPECT_TRUE(t.contains(k)) << k;
      }
      EXPECT_EQ(t["client_id"], "client-" + std::to_string(i));
      EXPECT_EQ(t["status"], 200);
      EXPECT_EQ(t["output_tokens"], 20);
      EXPECT_GT(t["input_tokens"].get<int>(), 5);
      const auto a = t["arrival_ns"].get<std::int64_t>();
      EXPECT_LE(a, t["read_ns"].get<std::int64_t>());
      const auto f = t["first_token_ns"].get<std::int64_t>();
      const auto l = t["last_token_ns"].get<std::int64_t>();
      const auto e = t["end_ns"].get<std::int64_t>();
      EXPECT_LT(a, f);
      EXPECT_LT(f, l);
      EXPECT_LE(l, e);
      if (fixed_mode) {
        EXPECT_GE(f - a, 2'000'000);  // --ttft-ms 2
      }
    }
    const json bad = json::parse(lines[3]);
    EXPECT_EQ(bad["status"], 404);
    EXPECT_TRUE(bad["first_token_ns"].is_null());
  }
}

TEST(SimTimeScale, ReportedDurationsStayInModelTime) {
  SimOptions o = fast_options("ollama");
  o.time_scale = 50;
  auto server = SimServer::start(o);
  const auto t0 = servemeter::monotonic_ns();
  const Response r =
      request(server->port(), "POST", "/api/generate",
              R"({"model":"llama3.1:8b","prompt":"Hello","options":{"num_predict":50}})");
  const double wall_ns = static_cast<double>(servemeter::monotonic_ns() - t0);
  const json done = json::parse(ndjson_lines(r.body).back());
  EXPECT_EQ(done["eval_count"], 50);
  // 50 steps of >= 9 ms model time: >= 450 ms reported, while the wall time is ~50x less.
  EXPECT_GT(done["total_duration"].get<double>(), 400e6);
  EXPECT_LT(wall_ns, done["total_duration"].get<double>() / 5);
}

TEST(SimPrefixCache, SecondSharedPrefixRequestIsFasterEndToEnd) {
  SimOptions o = fast_options("sglang");
  o.time_scale = 1;  // model time = wall time: ~70 ms vs ~12 ms, far above scheduling noise
  auto server = SimServer::start(o);
  std::string prefix;
  for (int i = 0; i < 2000; ++i) prefix += " shared";
  auto ask = [&](const std::string& q) {
    const Response r =
        request(server->port(), "POST", "/generate",
                R"({"text":")" + prefix + q +
                    R"(","sampling_params":{"max_new_tokens":2,"ignore_eos":true},"stream":true})");
    const auto events = sse_events(r.body);
    return json::parse(events[events.size() - 2])["meta_info"];
  };
  const json first = ask(" one?");
  const json second = ask(" two?");
  EXPECT_EQ(first["cached_tokens"], 0);
  EXPECT_GE(second["cached_tokens"].get<int>(), 2000);
  EXPECT_LT(second["e2e_latency"].get<double>(), first["e2e_latency"].get<double>() / 2);
}

}  // namespace
