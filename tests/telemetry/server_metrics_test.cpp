#include "telemetry/server_metrics.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "http/fake_server.h"
#include "sim/sim_server.h"
#include "sim/sim_test_util.h"

namespace servemeter::telemetry {
namespace {

std::string fixture_text(const std::string& rel) {
  std::ifstream in(std::string(SERVEMETER_FIXTURE_DIR) + "/" + rel, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST(ServerMetrics, VllmTranscript) {
  const auto snap = snapshot_from_text("vllm", fixture_text("vllm/vllm_metrics_excerpt.prom"), 1);
  EXPECT_EQ(snap.error, "");
  const WellKnownMetrics& k = snap.known;
  EXPECT_EQ(k.running_requests, 3);
  EXPECT_EQ(k.waiting_requests, 0);
  EXPECT_EQ(k.kv_cache_usage, 0.0421);
  EXPECT_EQ(k.prefix_cache_hits, 3072);
  EXPECT_EQ(k.prefix_cache_queries, 4096);
  EXPECT_EQ(k.prompt_tokens, 4096);
  EXPECT_EQ(k.generation_tokens, 1500);
  EXPECT_FALSE(k.preemptions);
  EXPECT_EQ(snap.missing.at("preemptions"),
            "the server's /metrics has no vllm:num_preemptions_total");
  EXPECT_FALSE(k.cache_hit_rate);
  EXPECT_EQ(snap.missing.at("cache_hit_rate"), "vllm reports no such metric");
  // Raw values: label sets summed, buckets left out.
  EXPECT_EQ(snap.values.at("vllm:request_success_total"), 9);
  EXPECT_EQ(snap.values.at("vllm:time_to_first_token_seconds_count"), 9);
  EXPECT_FALSE(snap.values.count("vllm:time_to_first_token_seconds_bucket"));
  EXPECT_EQ(snap.types.at("vllm:time_to_first_token_seconds_sum"), "histogram");
}

TEST(ServerMetrics, SglangTranscript) {
  const auto snap =
      snapshot_from_text("sglang", fixture_text("sglang/sglang_metrics_excerpt.prom"), 1);
  const WellKnownMetrics& k = snap.known;
  EXPECT_EQ(k.running_requests, 3);
  EXPECT_EQ(k.waiting_requests, 0);
  EXPECT_EQ(k.kv_cache_usage, 0.04);
  EXPECT_EQ(k.cache_hit_rate, 0.75);
  EXPECT_EQ(k.prefix_cache_hits, 3072);
  EXPECT_EQ(k.prefix_cache_queries, 4096);
  EXPECT_EQ(k.prompt_tokens, 4096);
  EXPECT_EQ(k.generation_tokens, 1500);
  EXPECT_FALSE(k.preemptions);
}

TEST(ServerMetrics, LlamaCppCaptureCountsCachedPromptTokensIn) {
  const auto snap =
      snapshot_from_text("llamacpp", fixture_text("llamacpp/llamacpp_metrics.prom"), 1);
  const WellKnownMetrics& k = snap.known;
  EXPECT_EQ(k.prefix_cache_hits, 6);
  EXPECT_EQ(k.prefix_cache_queries, 39);  // 33 processed + 6 reused
  EXPECT_EQ(k.prompt_tokens, 39);
  EXPECT_EQ(k.generation_tokens, 32);
  EXPECT_EQ(k.running_requests, 0);
  EXPECT_EQ(k.waiting_requests, 0);
  EXPECT_FALSE(k.kv_cache_usage);
  EXPECT_EQ(snap.missing.at("preemptions"), "llamacpp reports no such metric");
}

TEST(ServerMetrics, UnknownFrameworkKeepsOnlyTheRawValues) {
  const auto snap = snapshot_from_text("openai", fixture_text("vllm/vllm_metrics_excerpt.prom"), 1);
  EXPECT_EQ(snap.values.at("vllm:prefix_cache_hits_total"), 3072);
  EXPECT_FALSE(snap.known.prefix_cache_hits);
  EXPECT_FALSE(snap.known.running_requests);
  EXPECT_EQ(snap.missing.at("running_requests"),
            "servemeter knows no metric names for framework 'openai'; see the raw values");
}

TEST(ServerMetrics, SeveralEnginesAreSummedAndTheirKvUsageAveraged) {
  const auto snap = snapshot_from_text("vllm",
                                       "vllm:num_requests_running{engine=\"0\"} 3\n"
                                       "vllm:num_requests_running{engine=\"1\"} 5\n"
                                       "vllm:kv_cache_usage_perc{engine=\"0\"} 0.2\n"
                                       "vllm:kv_cache_usage_perc{engine=\"1\"} 0.4\n"
                                       "vllm:num_preemptions_total{engine=\"0\"} 1\n"
                                       "vllm:num_preemptions_total{engine=\"1\"} 2\n",
                                       1);
  EXPECT_EQ(snap.known.running_requests, 8);
  EXPECT_DOUBLE_EQ(*snap.known.kv_cache_usage, 0.3);
  EXPECT_EQ(snap.known.preemptions, 3);
}

TEST(ServerMetrics, DiffGivesCounterDeltasHitRateAndGaugesAfter) {
  const std::string before_text = fixture_text("vllm/vllm_metrics_excerpt.prom");
  std::string after_text = before_text;
  after_text = replaced(after_text,
                        "vllm:prefix_cache_hits_total{engine=\"0\",model_name=\"meta-llama/"
                        "Llama-3.1-8B-Instruct\"} 3072.0",
                        "vllm:prefix_cache_hits_total{engine=\"0\",model_name=\"meta-llama/"
                        "Llama-3.1-8B-Instruct\"} 3584.0");
  after_text = replaced(after_text,
                        "vllm:prefix_cache_queries_total{engine=\"0\",model_name=\"meta-llama/"
                        "Llama-3.1-8B-Instruct\"} 4096.0",
                        "vllm:prefix_cache_queries_total{engine=\"0\",model_name=\"meta-llama/"
                        "Llama-3.1-8B-Instruct\"} 5120.0");
  after_text = replaced(
      after_text,
      "vllm:num_requests_running{engine=\"0\",model_name=\"meta-llama/Llama-3.1-8B-Instruct\"} 3.0",
      "vllm:num_requests_running{engine=\"0\",model_name=\"meta-llama/Llama-3.1-8B-Instruct\"} "
      "1.0");
  after_text = replaced(after_text,
                        "vllm:time_to_first_token_seconds_sum{engine=\"0\",model_name=\"meta-llama/"
                        "Llama-3.1-8B-Instruct\"} 0.412",
                        "vllm:time_to_first_token_seconds_sum{engine=\"0\",model_name=\"meta-llama/"
                        "Llama-3.1-8B-Instruct\"} 0.512");
  const auto before = snapshot_from_text("vllm", before_text, 1'000'000'000);
  const auto after = snapshot_from_text("vllm", after_text, 3'500'000'000);
  const ServerMetricsDelta d = diff(before, after);
  EXPECT_EQ(d.null_reason, "");
  EXPECT_EQ(d.seconds, 2.5);
  EXPECT_EQ(d.during.prefix_cache_hits, 512);
  EXPECT_EQ(d.during.prefix_cache_queries, 1024);
  EXPECT_EQ(d.prefix_cache_hit_rate, 0.5);
  EXPECT_EQ(d.during.prompt_tokens, 0);
  EXPECT_EQ(d.during.running_requests, 1);  // a gauge: the value after
  EXPECT_DOUBLE_EQ(d.counter_deltas.at("vllm:time_to_first_token_seconds_sum"), 0.1);
  EXPECT_EQ(d.counter_deltas.at("vllm:request_success_total"), 0);
  EXPECT_FALSE(d.counter_deltas.count("vllm:num_requests_running"));
  EXPECT_TRUE(d.counters_reset.empty());

  const nlohmann::json j = server_metrics_delta_json(d);
  EXPECT_EQ(j["prefix_cache_hit_rate"], 0.5);
  EXPECT_TRUE(j["preemptions"].is_null());
  EXPECT_EQ(j["null_reasons"]["preemptions"],
            "the server's /metrics has no vllm:num_preemptions_total");
  EXPECT_EQ(j["counter_deltas"]["vllm:prefix_cache_hits_total"], 512);
}

TEST(ServerMetrics, NoLookupsMeansNoHitRateAndARestartIsNotANegativeDelta) {
  const auto before = snapshot_from_text("sglang",
                                         "sglang:cached_tokens_total 100\n"
                                         "sglang:prompt_tokens_total 400\n"
                                         "sglang:generation_tokens_total 900\n",
                                         0);
  const auto same = diff(before, before);
  EXPECT_FALSE(same.prefix_cache_hit_rate);
  EXPECT_EQ(same.missing.at("prefix_cache_hit_rate"), "no prompt token was looked up in the cache");

  const auto restarted = snapshot_from_text("sglang",
                                            "sglang:cached_tokens_total 10\n"
                                            "sglang:prompt_tokens_total 40\n"
                                            "sglang:generation_tokens_total 950\n",
                                            1);
  const auto d = diff(before, restarted);
  EXPECT_FALSE(d.during.prefix_cache_hits);
  EXPECT_EQ(d.missing.at("prefix_cache_hits"),
            "the counter went down during the window (did the server restart?)");
  EXPECT_EQ(d.during.generation_tokens, 50);
  EXPECT_EQ(d.counters_reset.size(), 2u);
}

TEST(ServerMetrics, AFailedScrapeMakesTheDeltaNullWithTheReason) {
  testing::FakeServer server([](const testing::SeenRequest&, testing::FakeConnection& conn) {
    conn.send_full(404, "text/plain", "Not Found");
  });
  const auto snap =
      scrape_server_metrics("sglang", "http://127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(snap.error,
            "HTTP 404 from http://127.0.0.1:" + std::to_string(server.port()) +
                "/metrics (SGLang serves /metrics only when started with --enable-metrics)");
  const auto d = diff(snap, snap);
  EXPECT_EQ(d.null_reason, "server metrics not collected: " + snap.error);
  const nlohmann::json j = server_metrics_delta_json(d);
  EXPECT_TRUE(j["prefix_cache_hit_rate"].is_null());
  EXPECT_EQ(j["null_reasons"]["generation_tokens"], d.null_reason);
}

TEST(ServerMetrics, AnUnreachableServerIsAnErrorNotAThrow) {
  TelemetryHttpOptions o;
  o.timeout_ms = 2000;
  const auto snap = scrape_server_metrics("vllm", "http://127.0.0.1:1", o);
  EXPECT_NE(snap.error.find("cannot read http://127.0.0.1:1/metrics"), std::string::npos)
      << snap.error;
  EXPECT_TRUE(snap.values.empty());
}

TEST(ServerMetrics, AHugeBodyIsCutAndMarked) {
  testing::FakeServer server([](const testing::SeenRequest&, testing::FakeConnection& conn) {
    std::string body;
    for (int i = 0; i < 100000; ++i) body += "vllm:x" + std::to_string(i) + " 1\n";
    conn.send_full(200, "text/plain", body);
  });
  TelemetryHttpOptions o;
  o.max_body_bytes = 64 * 1024;
  const auto snap =
      scrape_server_metrics("vllm", "http://127.0.0.1:" + std::to_string(server.port()), o);
  EXPECT_EQ(snap.error, "");
  EXPECT_TRUE(snap.truncated);
  EXPECT_GT(snap.values.size(), 1000u);
  EXPECT_LT(snap.values.size(), 100000u);
}

TEST(ServerMetrics, ScrapesTheSimulatorBeforeAndAfterRequests) {
  for (const std::string profile : {"vllm", "sglang", "llamacpp"}) {
    auto sim = sim::SimServer::start(simtest::fast_options(profile));
    const std::string base = "http://127.0.0.1:" + std::to_string(sim->port());
    const auto before = scrape_server_metrics(profile, base);
    ASSERT_EQ(before.error, "") << profile;
    EXPECT_EQ(before.known.running_requests, 0) << profile;
    for (int i = 0; i < 2; ++i) {
      const auto r = simtest::request(
          sim->port(), "POST", "/v1/completions",
          R"({"prompt":"The same shared prefix for the cache test, )"
          R"(long enough to span a block or two of tokens.","max_tokens":4,"ignore_eos":true})");
      ASSERT_EQ(r.status, 200) << profile << " " << r.body;
    }
    const auto after = scrape_server_metrics(profile, base);
    const ServerMetricsDelta d = diff(before, after);
    EXPECT_EQ(d.null_reason, "") << profile;
    ASSERT_TRUE(d.during.prompt_tokens) << profile;
    EXPECT_GT(*d.during.prompt_tokens, 0) << profile;
    ASSERT_TRUE(d.during.generation_tokens) << profile;
    EXPECT_EQ(*d.during.generation_tokens, 8) << profile;
    ASSERT_TRUE(d.during.prefix_cache_queries) << profile;
    EXPECT_EQ(*d.during.prefix_cache_queries, *d.during.prompt_tokens) << profile;
    EXPECT_TRUE(d.prefix_cache_hit_rate) << profile;
    sim->stop();
  }
}

}  // namespace
}  // namespace servemeter::telemetry
