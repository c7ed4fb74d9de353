// Request bodies: each API's endpoint and the fields that make the comparison fair (streaming,
// server token counts, exact output length, Ollama's context size).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "protocol/api_adapter.h"

namespace servemeter {
namespace {

using nlohmann::json;

GenerationRequest sample(bool exact = true) {
  GenerationRequest r;
  r.model = "m";
  r.system_prompt = "Be brief.";
  r.prompt = "Capital of France?";
  r.max_tokens = 64;
  r.exact_output_length = exact;
  r.temperature = 0.5;
  return r;
}

json body_of(std::string_view api, const GenerationRequest& request, std::string* path = nullptr) {
  const HttpRequestSpec spec = make_adapter(api)->build_request(request);
  if (path != nullptr) *path = spec.path;
  return json::parse(spec.body);
}

TEST(BuildRequest, OpenAiChat) {
  std::string path;
  const json b = body_of("openai-chat", sample(), &path);
  EXPECT_EQ(path, "/v1/chat/completions");
  EXPECT_EQ(b["model"], "m");
  EXPECT_EQ(b["messages"], json::parse(R"([{"role":"system","content":"Be brief."},
                                           {"role":"user","content":"Capital of France?"}])"));
  EXPECT_EQ(b["max_tokens"], 64);
  EXPECT_EQ(b["temperature"], 0.5);
  EXPECT_EQ(b["stream"], true);
  EXPECT_EQ(b["stream_options"], json::parse(R"({"include_usage":true})"));
  EXPECT_EQ(b["ignore_eos"], true);
  EXPECT_EQ(b["min_tokens"], 64);

  GenerationRequest plain = sample(false);
  plain.system_prompt.clear();
  const json p = body_of("openai-chat", plain);
  EXPECT_EQ(p["messages"].size(), 1u);
  EXPECT_FALSE(p.contains("ignore_eos"));
  EXPECT_FALSE(p.contains("min_tokens"));
}

TEST(BuildRequest, OpenAiCompletionsPrependsTheSystemPrompt) {
  std::string path;
  const json b = body_of("openai-completions", sample(), &path);
  EXPECT_EQ(path, "/v1/completions");
  EXPECT_EQ(b["prompt"], "Be brief.\n\nCapital of France?");
  EXPECT_FALSE(b.contains("messages"));
  EXPECT_EQ(b["stream_options"]["include_usage"], true);
  EXPECT_EQ(b["min_tokens"], 64);
}

TEST(BuildRequest, OllamaChatAndGenerate) {
  GenerationRequest r = sample();
  r.context_length = 8192;
  std::string path;
  const json chat = body_of("ollama-chat", r, &path);
  EXPECT_EQ(path, "/api/chat");
  EXPECT_EQ(chat["messages"][0]["role"], "system");
  EXPECT_EQ(chat["stream"], true);
  EXPECT_EQ(chat["options"], json::parse(R"({"temperature":0.5,"num_predict":64,"num_ctx":8192})"));

  const json gen = body_of("ollama-generate", sample(), &path);
  EXPECT_EQ(path, "/api/generate");
  EXPECT_EQ(gen["prompt"], "Capital of France?");
  EXPECT_EQ(gen["system"], "Be brief.");
  EXPECT_FALSE(gen["options"].contains("num_ctx"));
  EXPECT_EQ(gen["options"]["num_predict"], 64);
}

TEST(BuildRequest, SglangGenerate) {
  std::string path;
  const json b = body_of("sglang-generate", sample(), &path);
  EXPECT_EQ(path, "/generate");
  EXPECT_EQ(b["text"], "Be brief.\n\nCapital of France?");
  EXPECT_EQ(b["stream"], true);
  EXPECT_EQ(b["sampling_params"],
            json::parse(R"({"max_new_tokens":64,"temperature":0.5,"ignore_eos":true,
                            "min_new_tokens":64})"));
  EXPECT_EQ(body_of("sglang-generate", sample(false))["sampling_params"],
            json::parse(R"({"max_new_tokens":64,"temperature":0.5})"));
}

TEST(MakeAdapter, KnowsTheFiveApis) {
  for (std::string_view api :
       {"openai-chat", "openai-completions", "ollama-chat", "ollama-generate", "sglang-generate"}) {
    const auto adapter = make_adapter(api);
    ASSERT_NE(adapter, nullptr) << api;
    EXPECT_EQ(adapter->name(), api);
    EXPECT_NE(known_apis().find(api), std::string_view::npos);
  }
  EXPECT_EQ(make_adapter("openai"), nullptr);
}

}  // namespace
}  // namespace servemeter
