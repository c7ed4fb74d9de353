// Prompts: exact lengths cut from natural text, no shared prefixes between requests, and the
// fixed prompt sets of the Korean and prefix-cache scenarios.
#include "workload/datasets.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <set>

#include "core/data_dir.h"
#include "workload/packaged_tokenizer.h"
#include "workload/text_tokenizer.h"

namespace servemeter {
namespace {

bool under_ci() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

// The Llama 3 tokenizer when scripts/fetch-tokenizers.sh has run.
std::unique_ptr<TextTokenizer> llama3_or_null() {
  const auto file = packaged_tokenizer("llama3.1-8b");
  if (!file) return nullptr;
  return load_text_tokenizer(*file, "llama3");
}

#define LLAMA3_OR_SKIP(name)                                                               \
  const auto name = llama3_or_null();                                                      \
  if (!name) {                                                                             \
    if (under_ci()) FAIL() << "CI must have the tokenizers (scripts/fetch-tokenizers.sh)"; \
    GTEST_SKIP() << "no Llama 3 tokenizer: run scripts/fetch-tokenizers.sh";               \
  }

void expect_exact_and_distinct(const TextTokenizer& tokenizer, const char* corpus_file) {
  const auto corpus = TokenizedCorpus::load(data_dir() / "corpus" / corpus_file, tokenizer);
  for (const std::size_t n : {1u, 7u, 128u, 512u, 1024u, 2048u, 4096u}) {
    CorpusDataset dataset(corpus, n, TokenCalibration{}, 3, 20, "test");
    std::set<std::string> starts;
    Prompt prompt;
    for (std::size_t i = 0; i < 20; ++i) {
      dataset.prompt(i, 0, prompt);
      ASSERT_EQ(tokenizer.count(prompt.user), n) << corpus_file << " request " << i;
      EXPECT_EQ(prompt.target_input_tokens, static_cast<std::int64_t>(n));
      // Different from the first words on: no prefix cache can help.
      starts.insert(prompt.user.substr(0, std::min<std::size_t>(prompt.user.size(), 24)));
    }
    if (n >= 7) {
      EXPECT_EQ(starts.size(), 20u) << corpus_file << " n=" << n;
    }
  }
}

TEST(CorpusDataset, ExactLengthsAndDistinctStartsWithTheApproximateTokenizer) {
  const auto approx = make_approx_tokenizer();
  expect_exact_and_distinct(*approx, "english.txt");
  expect_exact_and_distinct(*approx, "korean.txt");
}

TEST(CorpusDataset, ExactLengthsAndDistinctStartsWithTheLlama3Tokenizer) {
  LLAMA3_OR_SKIP(llama3);
  expect_exact_and_distinct(*llama3, "english.txt");
  expect_exact_and_distinct(*llama3, "korean.txt");
}

TEST(CorpusDataset, TrialsGetOtherPromptsThanEachOther) {
  const auto approx = make_approx_tokenizer();
  const auto corpus = TokenizedCorpus::load(data_dir() / "corpus" / "english.txt", *approx);
  CorpusDataset dataset(corpus, 64, TokenCalibration{}, 3, 10, "test");
  Prompt a, b;
  dataset.prompt(0, 0, a);
  dataset.prompt(0, 1, b);
  EXPECT_NE(a.user, b.user);
  dataset.prompt(0, 0, b);
  EXPECT_EQ(a.user, b.user);  // deterministic
}

TEST(CorpusDataset, CalibrationLeavesRoomForTheTemplate) {
  const auto approx = make_approx_tokenizer();
  const auto corpus = TokenizedCorpus::load(data_dir() / "corpus" / "english.txt", *approx);
  TokenCalibration c;
  c.overhead = 30;
  CorpusDataset dataset(corpus, 512, c, 1, 5, "test");
  Prompt p;
  dataset.prompt(0, 0, p);
  EXPECT_EQ(approx->count(p.user), 482u);
  c.per_token = 1.25;
  EXPECT_EQ(c.text_tokens(530), 400u);
  // A target the template alone fills cannot be built: said before any request.
  TokenCalibration big;
  big.overhead = 600;
  EXPECT_THROW(CorpusDataset(corpus, 512, big, 1, 5, "test"), DatasetError);
}

TEST(PromptSets, KoreanPairsHaveEveryTypeInBothLanguages) {
  const auto pairs = load_korean_pairs(data_dir() / "corpus" / "korean_pairs.yaml");
  ASSERT_GE(pairs.size(), 20u);
  std::set<std::string> types;
  for (const auto& p : pairs) {
    types.insert(p.type);
    EXPECT_FALSE(p.ko.empty());
    EXPECT_FALSE(p.en.empty());
  }
  EXPECT_EQ(types.size(), 5u);
  const auto shared = std::make_shared<const std::vector<KoreanPair>>(pairs);
  KoreanPairsDataset ko(shared, "ko"), en(shared, "en");
  Prompt a, b;
  ko.prompt(3, 0, a);
  en.prompt(3, 0, b);
  EXPECT_EQ(a.item, 3u);
  EXPECT_EQ(b.item, 3u);  // request i of both languages is the same pair
  EXPECT_EQ(a.user, pairs[3].ko);
  EXPECT_EQ(b.user, pairs[3].en);
  ko.prompt(pairs.size() + 1, 0, a);
  EXPECT_EQ(a.item, 1u);
  EXPECT_NE(ko.items_json().find("\"lang\":\"ko\""), std::string::npos);
}

TEST(PromptSets, PrefixCacheSharesOneSystemPromptAndTheControlSharesNothing) {
  const auto set = std::make_shared<const PrefixCacheSet>(
      load_prefix_cache_set(data_dir() / "corpus" / "prefix_cache.yaml"));
  ASSERT_EQ(set->questions.size(), 50u);
  ASSERT_EQ(set->control_system_prompts.size(), 50u);
  const auto approx = make_approx_tokenizer();
  PrefixCacheDataset shared(set, false), control(set, true);
  std::set<std::string> systems, control_starts;
  Prompt p;
  for (std::size_t i = 0; i < 50; ++i) {
    shared.prompt(i, 0, p);
    systems.insert(p.system);
    EXPECT_EQ(p.item, i);
    control.prompt(i, 0, p);
    control_starts.insert(p.system.substr(0, 40));
  }
  EXPECT_EQ(systems.size(), 1u);
  EXPECT_EQ(control_starts.size(), 50u);  // every control prompt differs from its start
  EXPECT_GT(approx->count(*systems.begin()), 1500u);
}

}  // namespace
}  // namespace servemeter
