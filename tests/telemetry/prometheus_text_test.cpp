#include "telemetry/prometheus_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <random>
#include <sstream>

namespace servemeter::telemetry {
namespace {

std::string fixture(const std::string& rel) {
  std::ifstream in(std::string(SERVEMETER_FIXTURE_DIR) + "/" + rel, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const PrometheusSeries* find(const PrometheusText& t, const std::string& name,
                             const std::string& label = {}, const std::string& value = {}) {
  for (const auto& s : t.series) {
    if (s.name != name) continue;
    if (label.empty()) return &s;
    for (const auto& [k, v] : s.labels)
      if (k == label && v == value) return &s;
  }
  return nullptr;
}

TEST(PrometheusText, ReadsTheVllmTranscript) {
  const std::string text = fixture("vllm/vllm_metrics_excerpt.prom");
  ASSERT_FALSE(text.empty()) << "fixture missing";
  const PrometheusText t = parse_prometheus_text(text);
  EXPECT_EQ(t.skipped_lines, 0u);
  EXPECT_FALSE(t.truncated);
  EXPECT_EQ(t.series.size(), 14u);
  const auto* hits = find(t, "vllm:prefix_cache_hits_total");
  ASSERT_NE(hits, nullptr);
  EXPECT_EQ(hits->value, 3072);
  ASSERT_EQ(hits->labels.size(), 2u);
  EXPECT_EQ(hits->labels[0], (std::pair<std::string, std::string>{"engine", "0"}));
  EXPECT_EQ(hits->labels[1].second, "meta-llama/Llama-3.1-8B-Instruct");
  EXPECT_EQ(find(t, "vllm:request_success_total", "finished_reason", "length")->value, 7);
  EXPECT_EQ(find(t, "vllm:time_to_first_token_seconds_bucket", "le", "+Inf")->value, 9);
  EXPECT_EQ(find(t, "vllm:time_to_first_token_seconds_sum")->value, 0.412);
  EXPECT_EQ(t.types.at("vllm:kv_cache_usage_perc"), "gauge");
  EXPECT_EQ(prometheus_type(t, "vllm:prefix_cache_queries_total"), "counter");
  EXPECT_EQ(prometheus_type(t, "vllm:time_to_first_token_seconds_bucket"), "histogram");
  EXPECT_EQ(prometheus_type(t, "vllm:time_to_first_token_seconds_count"), "histogram");
  EXPECT_EQ(prometheus_type(t, "vllm:unknown"), "untyped");
}

TEST(PrometheusText, ReadsTheSglangTranscript) {
  const PrometheusText t = parse_prometheus_text(fixture("sglang/sglang_metrics_excerpt.prom"));
  EXPECT_EQ(t.skipped_lines, 0u);
  EXPECT_EQ(t.series.size(), 13u);
  const auto* running = find(t, "sglang:num_running_reqs");
  ASSERT_NE(running, nullptr);
  EXPECT_EQ(running->value, 3);
  EXPECT_EQ(running->labels.size(), 4u);
  EXPECT_EQ(find(t, "sglang:cache_hit_rate")->value, 0.75);
  EXPECT_EQ(find(t, "sglang:gen_throughput")->value, 812.4);
}

TEST(PrometheusText, ReadsTheLlamaCppCapture) {
  const PrometheusText t = parse_prometheus_text(fixture("llamacpp/llamacpp_metrics.prom"));
  EXPECT_EQ(t.skipped_lines, 0u);
  EXPECT_EQ(t.series.size(), 15u);
  const auto* cached = find(t, "llamacpp:prompt_tokens_cached_total");
  ASSERT_NE(cached, nullptr);
  EXPECT_TRUE(cached->labels.empty());
  EXPECT_EQ(cached->value, 6);
  EXPECT_EQ(find(t, "llamacpp:prompt_seconds_total")->value, 0.030492);
  EXPECT_EQ(t.types.at("llamacpp:n_tokens_max"), "counter");
}

TEST(PrometheusText, HandlesEscapesSpecialValuesAndTimestamps) {
  const PrometheusText t = parse_prometheus_text(
      "# a free comment\n"
      "#TYPE odd gauge\n"
      "esc{path=\"C:\\\\dir\\\"x\\\"\",msg=\"line\\nnext\"} 1\n"
      "inf_up +Inf\n"
      "inf_down -Inf\n"
      "not_a_number NaN\n"
      "tiny 1.5e-3\n"
      "big 2E+10\n"
      "stamped{a=\"b\"} 4 1700000000000\n"
      "empty{} 2\n"
      "trailing{a=\"1\",} 3\n"
      "  spaced { a = \"1\" , b=\"2\" }   5\r\n"
      "odd 7\n");
  EXPECT_EQ(t.skipped_lines, 0u);
  ASSERT_EQ(t.series.size(), 11u);
  EXPECT_EQ(t.series[0].labels[0].second, "C:\\dir\"x\"");
  EXPECT_EQ(t.series[0].labels[1].second, "line\nnext");
  EXPECT_TRUE(std::isinf(t.series[1].value) && t.series[1].value > 0);
  EXPECT_TRUE(std::isinf(t.series[2].value) && t.series[2].value < 0);
  EXPECT_TRUE(std::isnan(t.series[3].value));
  EXPECT_EQ(t.series[4].value, 0.0015);
  EXPECT_EQ(t.series[5].value, 2e10);
  EXPECT_EQ(t.series[6].value, 4);
  EXPECT_TRUE(t.series[7].labels.empty());
  EXPECT_EQ(t.series[8].labels.size(), 1u);
  EXPECT_EQ(t.series[9].name, "spaced");
  EXPECT_EQ(t.series[9].labels[1], (std::pair<std::string, std::string>{"b", "2"}));
  EXPECT_EQ(t.series[9].value, 5);
  EXPECT_EQ(t.types.at("odd"), "gauge");
}

TEST(PrometheusText, SkipsBadLinesAndKeepsTheRest) {
  const PrometheusText t = parse_prometheus_text(
      "{no_name=\"x\"} 1\n"
      "unterminated{a=\"b} 1\n"
      "bare_label{a=b} 1\n"
      "word notanumber\n"
      "extra 1 2 3\n"
      "9starts_with_digit 1\n"
      "colon_label{a:b=\"c\"} 1\n"
      "good 42\n"
      "no_value\n");
  EXPECT_EQ(t.skipped_lines, 8u);
  ASSERT_EQ(t.series.size(), 1u);
  EXPECT_EQ(t.series[0].name, "good");
  EXPECT_EQ(t.series[0].value, 42);
}

TEST(PrometheusText, BoundsWhatItReads) {
  std::string text;
  for (int i = 0; i < 1000; ++i) text += "m" + std::to_string(i) + " " + std::to_string(i) + "\n";
  PrometheusLimits limits;
  limits.max_bytes = 100;  // cut inside a line: only whole lines before it count
  PrometheusText t = parse_prometheus_text(text, limits);
  EXPECT_TRUE(t.truncated);
  EXPECT_EQ(t.skipped_lines, 0u);
  EXPECT_EQ(t.series.back().value, static_cast<double>(t.series.size() - 1));

  limits = {};
  limits.max_series = 10;
  t = parse_prometheus_text(text, limits);
  EXPECT_TRUE(t.truncated);
  EXPECT_EQ(t.series.size(), 10u);

  limits = {};
  limits.max_line = 16;
  t = parse_prometheus_text(
      std::string("long_name{label=\"") + std::string(100, 'x') + "\"} 1\nok 1\n", limits);
  EXPECT_EQ(t.skipped_lines, 1u);
  EXPECT_EQ(t.series.size(), 1u);
}

TEST(PrometheusText, SurvivesRandomBytes) {
  std::mt19937 rng(12345);
  const std::string alphabet = "abc:_{}=\",\\\n #+-.eE019InfNa\t\r\xff";
  for (int round = 0; round < 200; ++round) {
    std::string junk(2000, ' ');
    for (char& c : junk) c = alphabet[rng() % alphabet.size()];
    const PrometheusText t = parse_prometheus_text(junk);
    for (const auto& s : t.series) EXPECT_FALSE(s.name.empty());
  }
}

}  // namespace
}  // namespace servemeter::telemetry
