#include "core/text.h"

#include <gtest/gtest.h>

#include <string>

namespace servemeter {
namespace {

constexpr std::string_view kFffd = "\xEF\xBF\xBD";
constexpr std::string_view kEllipsis = "\xE2\x80\xA6";

TEST(ValidUtf8, ValidTextIsKeptAsIs) {
  const std::string text = "plain ASCII, caf\xC3\xA9, \xE4\xB8\xAD\xE6\x96\x87, \xF0\x9F\x98\x80";
  EXPECT_EQ(valid_utf8(text, 1000), text);
  EXPECT_TRUE(is_valid_utf8(text));
  EXPECT_EQ(valid_utf8("", 10), "");
}

TEST(ValidUtf8, Latin1BytesBecomeReplacementCharacters) {
  // "Erreur: acc\xE8s refus\xE9" as an ISO-8859-1 proxy page writes it.
  const std::string latin1 = "acc\xE8s refus\xE9";
  EXPECT_FALSE(is_valid_utf8(latin1));
  const std::string out = valid_utf8(latin1, 1000);
  EXPECT_EQ(out, "acc" + std::string(kFffd) + "s refus" + std::string(kFffd));
  EXPECT_TRUE(is_valid_utf8(out));
}

TEST(ValidUtf8, EachMaximalSubpartIsOneReplacement) {
  // Unicode's examples: a truncated 3-byte sequence is one U+FFFD, stray continuation bytes and
  // bytes that can never start a sequence are one each.
  EXPECT_EQ(valid_utf8("a\xE2\x82z", 100), "a" + std::string(kFffd) + "z");
  EXPECT_EQ(valid_utf8("\x80\x80", 100), std::string(kFffd) + std::string(kFffd));
  EXPECT_EQ(valid_utf8("\xC0\xAF", 100), std::string(kFffd) + std::string(kFffd));  // overlong
  EXPECT_EQ(valid_utf8("\xED\xA0\x80", 100),                                        // a surrogate
            std::string(kFffd) + std::string(kFffd) + std::string(kFffd));
  EXPECT_EQ(valid_utf8("\xF4\x90\x80\x80", 100).size(), 4 * kFffd.size());  // above U+10FFFF
  EXPECT_EQ(valid_utf8("\xF0\x9F\x98", 100), kFffd);  // cut at the end of the input
  EXPECT_EQ(valid_utf8(std::string("a\0b", 3), 100), std::string("a\0b", 3));
}

TEST(ValidUtf8, LongTextIsCutAtACodePointWithAnEllipsis) {
  const std::string text = "ab\xC3\xA9\xC3\xA9\xC3\xA9";  // 8 bytes
  EXPECT_EQ(valid_utf8(text, 8), text);                   // exactly at the bound: untouched
  // 7 bytes allowed: 4 bytes of text + the 3-byte ellipsis; "ab\xC3\xA9" is 4 bytes.
  EXPECT_EQ(valid_utf8(text, 7), "ab\xC3\xA9" + std::string(kEllipsis));
  // 6 allowed: 3 bytes of text would split an \xC3\xA9, so only "ab".
  EXPECT_EQ(valid_utf8(text, 6), "ab" + std::string(kEllipsis));
  EXPECT_EQ(valid_utf8(std::string(10'000, 'x'), 100).size(), 100u);
  EXPECT_EQ(valid_utf8("abcdef", 2), "ab");  // no room for the ellipsis
  for (std::size_t max = 0; max < 12; ++max) {
    const std::string out = valid_utf8("\xE9\xE9\xE4\xB8\xAD\xFF", max);
    EXPECT_LE(out.size(), max);
    EXPECT_TRUE(is_valid_utf8(out)) << max;
  }
}

}  // namespace
}  // namespace servemeter
