#include "workload/approx_tokenizer.h"

#include <gtest/gtest.h>

#include "workload/prompt_synthesis.h"

namespace servemeter {
namespace {

TEST(ApproxTokenizer, WordsWithLeadingSpaceAreOneToken) {
  EXPECT_EQ(approx_token_count("the cat sat"), 3u);
  EXPECT_EQ(approx_token_count("Hello, world!"), 4u);  // Hello , ␣world !
}

TEST(ApproxTokenizer, LongWordsSplitEverySixLetters) {
  EXPECT_EQ(approx_token_count("internationalization"), 4u);  // 20 letters
}

TEST(ApproxTokenizer, DigitsInGroupsOfThree) {
  EXPECT_EQ(approx_token_count("1234567"), 3u);
}

TEST(ApproxTokenizer, KoreanCostsMoreThanEnglishOfSameMeaning) {
  const auto korean = approx_token_count("대한민국의 수도는 어디입니까?");
  const auto english = approx_token_count("What is the capital of South Korea?");
  EXPECT_EQ(korean, 16u);  // 13 syllables, 2 spaces, "?"
  EXPECT_GT(korean, english);
}

TEST(ApproxTokenizer, SharedPrefixGivesSharedIds) {
  const auto a = approx_tokenize("the shared system prompt then question one");
  const auto b = approx_tokenize("the shared system prompt then question two");
  ASSERT_EQ(a.size(), b.size());
  EXPECT_TRUE(std::equal(a.begin(), a.end() - 1, b.begin()));
  EXPECT_NE(a.back(), b.back());
}

TEST(PromptSynthesis, ExactTokenCountAndSeeded) {
  for (std::size_t n : {1u, 128u, 1024u, 4096u})
    EXPECT_EQ(approx_token_count(synthesize_prompt(n, 7)), n);
  EXPECT_EQ(synthesize_prompt(64, 1), synthesize_prompt(64, 1));
  EXPECT_NE(synthesize_prompt(64, 1), synthesize_prompt(64, 2));
}

}  // namespace
}  // namespace servemeter
