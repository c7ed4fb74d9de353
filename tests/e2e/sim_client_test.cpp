// The client against every simulator profile, through every adapter the profile serves.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "analysis/trial_figures.h"
#include "core/metrics.h"
#include "core/statistics.h"
#include "e2e/e2e_util.h"

namespace servemeter::e2e {
namespace {

struct ProfileApi {
  std::string profile, api, model;
};

class EveryProfile : public ::testing::TestWithParam<ProfileApi> {};

TEST_P(EveryProfile, ExactLengthServerCountsAndOrderedTimes) {
  const auto& p = GetParam();
  sim::SimOptions options;
  options.profile = p.profile;
  options.model = p.model;
  options.time_scale = 50;
  auto target = start_sim(options);
  CellRequest cell;
  cell.api = p.api;
  cell.model = p.model;
  cell.num_requests = 6;
  cell.concurrency = 3;
  cell.output_tokens = 24;
  const auto result = run_against(target.base_url, cell);
  ASSERT_EQ(result.records.size(), 6u);
  for (const auto& r : result.records) {
    ASSERT_TRUE(r.ok()) << p.profile << "/" << p.api << ": " << to_string(r.error) << " "
                        << r.error_message;
    EXPECT_EQ(r.output_tokens, 24) << p.profile << "/" << p.api;
    EXPECT_EQ(r.output_tokens_source, TokenCountSource::server);
    EXPECT_GT(r.input_tokens, 0);
    EXPECT_GT(r.first_token_ns, r.send_ns);
    EXPECT_GE(r.end_ns, r.token_event_ns.back());
    EXPECT_GE(r.token_event_ns.size(), 2u);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Sim, EveryProfile,
    ::testing::Values(ProfileApi{"vllm", "openai-chat", "meta-llama/Llama-3.1-8B-Instruct"},
                      ProfileApi{"vllm", "openai-completions", "meta-llama/Llama-3.1-8B-Instruct"},
                      ProfileApi{"vllm", "openai-chat", "openai/gpt-oss-20b"},
                      ProfileApi{"sglang", "openai-chat", "meta-llama/Llama-3.1-8B-Instruct"},
                      ProfileApi{"sglang", "sglang-generate", "meta-llama/Llama-3.1-8B-Instruct"},
                      ProfileApi{"ollama", "ollama-chat", "llama3.1:8b"},
                      ProfileApi{"ollama", "ollama-generate", "llama3.1:8b"},
                      ProfileApi{"ollama", "openai-chat", "llama3.1:8b"},
                      ProfileApi{"llamacpp", "openai-chat", "Llama-3.1-8B-Instruct"},
                      ProfileApi{"llamacpp", "openai-completions", "Llama-3.1-8B-Instruct"}),
    [](const auto& info) {
      std::string name =
          info.param.profile + "_" + info.param.api + "_" +
          (info.param.model.find("gpt-oss") != std::string::npos ? "gptoss" : "llama");
      for (char& c : name)
        if (c == '-') c = '_';
      return name;
    });

TEST(SimClient, ReasoningModelTtftPrecedesFirstContent) {
  auto target = start_sim([] {
    sim::SimOptions o;
    o.model = "openai/gpt-oss-20b";
    o.time_scale = 2;  // events far enough apart that one read never holds two (loaded CI)
    return o;
  }());
  CellRequest cell;
  cell.model = "openai/gpt-oss-20b";
  cell.num_requests = 2;
  cell.output_tokens = 64;
  const auto result = run_against(target.base_url, cell);
  for (const auto& r : result.records) {
    ASSERT_TRUE(r.ok()) << r.error_message;
    ASSERT_NE(r.first_content_ns, 0);
    EXPECT_LT(r.first_token_ns, r.first_content_ns);
  }
}

double mean_ttft_ms(const load::CellResult& result) {
  std::vector<double> values;
  for (const auto& r : result.records)
    if (const auto t = ttft_ms(r)) values.push_back(*t);
  return summarize(values)->mean;
}

TEST(SimClient, LongerPromptHasLongerTtft) {
  sim::SimOptions options;
  options.time_scale = 1;  // prefill times well above scheduling noise (loaded CI, ASan)
  auto target = start_sim(options);
  CellRequest cell;
  cell.num_requests = 4;
  cell.output_tokens = 4;
  cell.input_tokens = 128;
  const double short_ttft = mean_ttft_ms(run_against(target.base_url, cell));
  cell.input_tokens = 1024;
  cell.seed = 99;
  const double long_ttft = mean_ttft_ms(run_against(target.base_url, cell));
  EXPECT_GT(long_ttft, short_ttft * 1.5) << short_ttft << " vs " << long_ttft;
}

double output_throughput(const std::string& profile, const std::string& api, int concurrency) {
  sim::SimOptions options;
  options.profile = profile;
  options.time_scale = 5;  // request times well above scheduling noise (loaded CI, ASan)
  auto target = start_sim(options);
  CellRequest cell;
  cell.api = api;
  cell.model = profile == "ollama" ? "llama3.1:8b" : "meta-llama/Llama-3.1-8B-Instruct";
  cell.concurrency = concurrency;
  cell.num_requests = 2 * concurrency;
  cell.output_tokens = 64;
  const auto result = run_against(target.base_url, cell);
  TrialAccumulator acc(false, 1.0);
  for (const auto& r : result.records) acc.add(r);
  const auto summary = acc.finish();
  EXPECT_EQ(summary.succeeded, summary.measured);
  return summary.output_throughput_tok_s.value_or(0);
}

TEST(SimClient, VllmThroughputGrowsWithConcurrencyOllamaStaysFlat) {
  const double vllm_1 = output_throughput("vllm", "openai-chat", 1);
  const double vllm_8 = output_throughput("vllm", "openai-chat", 8);
  const double ollama_1 = output_throughput("ollama", "ollama-chat", 1);
  const double ollama_8 = output_throughput("ollama", "ollama-chat", 8);
  EXPECT_GT(vllm_8, 3 * vllm_1) << vllm_1 << " -> " << vllm_8;
  EXPECT_LT(ollama_8, 1.5 * ollama_1) << ollama_1 << " -> " << ollama_8;
  EXPECT_GT(ollama_8, 0.5 * ollama_1) << ollama_1 << " -> " << ollama_8;
}

TEST(SimClient, SharedPrefixCutsTtftOnCachingProfiles) {
  for (const std::string profile : {"vllm", "sglang", "llamacpp"}) {
    sim::SimOptions options;
    options.profile = profile;
    options.time_scale = 1;  // prefill times well above scheduling noise (loaded CI, ASan)
    auto target = start_sim(options);
    CellRequest cell;
    cell.input_tokens = 2048;
    cell.output_tokens = 4;
    cell.num_requests = 2;
    cell.same_prompt = true;
    const auto result = run_against(target.base_url, cell);
    ASSERT_TRUE(result.records[0].ok() && result.records[1].ok()) << profile;
    EXPECT_LT(*ttft_ms(result.records[1]), 0.5 * *ttft_ms(result.records[0])) << profile;
    // Only llama.cpp reports the reuse by default (vLLM and SGLang need server flags).
    if (profile == "llamacpp") {
      EXPECT_GT(result.records[1].cached_tokens, 1000) << profile;
    }
  }
}

}  // namespace
}  // namespace servemeter::e2e
