// The split regexes read as the reference (JavaScript) reads them, where PCRE2's own reading
// would differ.
#include "workload/split_regex.h"

#include <gtest/gtest.h>

namespace servemeter {
namespace {

using Pieces = std::vector<std::string_view>;

constexpr std::string_view kLlama3 =
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| "
    "?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
constexpr std::string_view kGptOss =
    "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+"
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+"
    "[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\\p{N}{1,3}| "
    "?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

Pieces split(const SplitRegex& regex, std::string_view text) {
  Pieces pieces;
  regex.split(text, pieces);
  return pieces;
}

TEST(SplitRegex, MatchesAndGapsInOrder) {
  const SplitRegex regex(kLlama3);
  EXPECT_EQ(split(regex, "Hello, world! I'm 12345"),
            (Pieces{"Hello", ",", " world", "!", " I", "'m", " ", "123", "45"}));
  EXPECT_EQ(split(regex, "a \n\n b"), (Pieces{"a", " \n\n", " b"}));
  EXPECT_TRUE(split(regex, "").empty());
}

TEST(SplitRegex, ByteOrderMarkIsWhiteSpaceAndNextLineIsNot) {
  const SplitRegex regex(kLlama3);
  // ECMAScript's \s has U+FEFF (Unicode's White_Space does not) and lacks U+0085.
  EXPECT_EQ(split(regex, "a\xEF\xBB\xBF!"), (Pieces{"a", "\xEF\xBB\xBF", "!"}));
  EXPECT_EQ(split(regex, "a\xC2\x85!"), (Pieces{"a", "\xC2\x85!"}));
  // Only U+0020 may lead a run of punctuation; a no-break space stays apart.
  EXPECT_EQ(split(regex, "a\xC2\xA0\xC2\xA0!"), (Pieces{"a", "\xC2\xA0", "\xC2\xA0", "!"}));
}

TEST(SplitRegex, ContractionsMatchAsciiLettersOfEitherCaseOnly) {
  const SplitRegex regex(kGptOss);
  EXPECT_EQ(split(regex, "it'S"), (Pieces{"it'S"}));
  EXPECT_EQ(split(regex, "WE'LL"), (Pieces{"WE'LL"}));
  // U+017F (long s) folds to s, but the reference spells the letters out as [sS].
  EXPECT_EQ(split(regex, "x'\xC5\xBF"), (Pieces{"x", "'\xC5\xBF"}));
}

TEST(SplitRegex, InvalidUtf8FallsBetweenMatches) {
  const SplitRegex regex(kLlama3);
  EXPECT_EQ(split(regex,
                  "ab\xFF"
                  "cd"),
            (Pieces{"ab", "\xFF", "cd"}));
  EXPECT_EQ(split(regex, "\xE2\x82"), (Pieces{"\xE2\x82"}));
}

// Over PCRE2's default match limit (10 million backtracks): "\s*[\r\n]+" scans the whole
// run and gives it back before "\s+(?!\S)" matches.
TEST(SplitRegex, ARunOfElevenMillionSpacesSplitsLikeAShortOne) {
  const SplitRegex regex(kLlama3);
  const std::string text = std::string(11'000'000, ' ') + "x";
  const auto pieces = split(regex, text);
  ASSERT_EQ(pieces.size(), 2u);
  EXPECT_EQ(pieces[0].size(), 11'000'000u - 1);
  EXPECT_EQ(pieces[1], " x");
}

TEST(SplitRegex, UnsupportedSyntaxIsRefused) {
  EXPECT_THROW(SplitRegex("[\\S]"), std::invalid_argument);
  EXPECT_THROW(SplitRegex("\\Qa\\E"), std::invalid_argument);
  EXPECT_THROW(SplitRegex("(unclosed"), std::invalid_argument);
}

}  // namespace
}  // namespace servemeter
