#include "results/token_gaps.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <random>

namespace servemeter {
namespace {

TEST(TokenGaps, RoundTripsStampsOfEveryMagnitude) {
  std::mt19937_64 rng(5);
  for (int n : {0, 1, 2, 3, 4, 5, 7, 64, 257}) {
    const std::int64_t send = 1'234'567'890'123;
    std::vector<std::int64_t> stamps;
    std::int64_t t = send;
    for (int i = 0; i < n; ++i) {
      // 0 ns (events in one read), µs, ms and minutes-long gaps.
      const std::int64_t gaps[] = {0, 999, 10'000'000, 120'000'000'000};
      t += gaps[rng() % 4] + static_cast<std::int64_t>(rng() % 1000);
      stamps.push_back(t);
    }
    std::string text;
    append_token_gaps(text, send, stamps);
    std::vector<std::int64_t> back;
    ASSERT_TRUE(decode_token_gaps(text, send, back)) << n << " " << text;
    EXPECT_EQ(back, stamps) << n;
    EXPECT_EQ(
        text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
        std::string::npos);
  }
}

TEST(TokenGaps, GapsOfEveryVarintLengthRoundTrip) {
  // 1 to 9 varint bytes: the decoder reads them a word at a time, the ninth byte apart.
  for (int bits = 0; bits <= 62; ++bits) {
    const std::int64_t gap = bits == 0 ? 0 : (std::int64_t{1} << bits) - 1;
    const std::vector<std::int64_t> stamps{gap, gap + 1, gap + 1};
    std::string text;
    append_token_gaps(text, 0, stamps);
    std::vector<std::int64_t> back;
    ASSERT_TRUE(decode_token_gaps(text, 0, back)) << bits;
    EXPECT_EQ(back, stamps) << bits;
  }
}

TEST(TokenGaps, TenMillisecondGapsCostAboutFiveCharacters) {
  std::vector<std::int64_t> stamps;
  for (int i = 1; i <= 256; ++i) stamps.push_back(1'000'000'000 + i * 10'000'000LL);
  std::string text;
  append_token_gaps(text, 1'000'000'000, stamps);
  EXPECT_LE(text.size(), 256u * 6);  // 4 varint bytes → 5.33 characters each
}

TEST(TokenGaps, RejectsWhatIsNotAnEncoding) {
  std::vector<std::int64_t> out;
  EXPECT_FALSE(decode_token_gaps("ab*d", 0, out));  // not base64url
  EXPECT_FALSE(decode_token_gaps("A", 0, out));     // one character cannot hold a byte
  EXPECT_FALSE(decode_token_gaps("gA", 0, out));    // 0x80: a varint that never ends
  EXPECT_FALSE(decode_token_gaps("__________________", 0, out));  // over 2^63
  EXPECT_FALSE(decode_token_gaps("gICA", 0, out));  // 80 80 80: the varint's end is missing
  // Found by UBSan: two gaps of 2^62 from a send time near the end of int64 overflow the stamp.
  std::string huge;
  append_token_gaps(huge, 0, std::vector<std::int64_t>{std::int64_t{1} << 62});
  EXPECT_FALSE(decode_token_gaps(huge, std::int64_t{3} << 61, out));
  EXPECT_FALSE(decode_token_gaps_portable(huge, std::int64_t{3} << 61, out));
  EXPECT_TRUE(decode_token_gaps("", 5, out));
  EXPECT_TRUE(out.empty());
}

// This machine may take the vector decoder; CPUs without AVX-512 VBMI take the portable one. Both
// must accept and reject the same texts and give the same stamps, valid or damaged.
TEST(TokenGaps, PortableAndDispatchedDecodersAgreeOnValidAndDamagedTexts) {
  std::mt19937_64 rng(11);
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_*=";
  for (int round = 0; round < 20000; ++round) {
    std::vector<std::int64_t> stamps;
    std::int64_t t = 1'000;
    const int n = static_cast<int>(rng() % 300);
    for (int i = 0; i < n; ++i) {
      // Gaps of every magnitude up to 2^58, stamps kept under 2^61 and ascending.
      t = std::min(t + static_cast<std::int64_t>(rng() >> (6 + rng() % 58)), std::int64_t{1} << 61);
      stamps.push_back(t);
    }
    std::string text;
    append_token_gaps(text, 1'000, stamps);
    if (round % 2 == 1 && !text.empty()) {  // damage: a changed, dropped or added character
      const std::size_t at = rng() % text.size();
      switch (rng() % 3) {
        case 0:
          text[at] = alphabet[rng() % alphabet.size()];
          break;
        case 1:
          text.erase(at, 1);
          break;
        default:
          text.insert(at, 1, alphabet[rng() % alphabet.size()]);
      }
    }
    std::vector<std::int64_t> dispatched, portable;
    const bool a = decode_token_gaps(text, 1'000, dispatched);
    const bool b = decode_token_gaps_portable(text, 1'000, portable);
    ASSERT_EQ(a, b) << text;
    if (a) {
      ASSERT_EQ(dispatched, portable) << text;
    }
    if (round % 2 == 0) {
      ASSERT_TRUE(b) << text;
      ASSERT_EQ(portable, stamps);
    }
  }
}

// Inter-token gaps of 2.1–268 ms take four bytes each, and the vector decoder reads sixteen of
// them at a time: texts made mostly of such gaps, with other lengths and damage among them, and a
// send time so near the end of int64 that the sixteen-at-once path must not take them.
TEST(TokenGaps, RunsOfFourByteGapsDecodeAsByTheirOwn) {
  std::mt19937_64 rng(12);
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  for (int round = 0; round < 4000; ++round) {
    const std::int64_t send =
        round % 50 == 49 ? std::numeric_limits<std::int64_t>::max() - (std::int64_t{1} << 33)
                         : std::int64_t{1'000'000'000};
    std::vector<std::int64_t> stamps;
    std::int64_t t = send;
    const int n = static_cast<int>(rng() % 400);
    for (int i = 0; i < n; ++i) {
      const bool four_bytes = rng() % 20 != 0;
      const auto gap = four_bytes
                           ? static_cast<std::int64_t>((1 << 21) + rng() % ((1 << 28) - (1 << 21)))
                           : static_cast<std::int64_t>(rng() % (1 << 21));
      if (t > std::numeric_limits<std::int64_t>::max() - gap) break;
      t += gap;
      stamps.push_back(t);
    }
    std::string text;
    append_token_gaps(text, send, stamps);
    const bool damaged = round % 4 == 3 && !text.empty();
    if (damaged) text[rng() % text.size()] = alphabet[rng() % alphabet.size()];
    std::vector<std::int64_t> dispatched, portable;
    const bool a = decode_token_gaps(text, send, dispatched);
    const bool b = decode_token_gaps_portable(text, send, portable);
    ASSERT_EQ(a, b) << text;
    if (a) {
      ASSERT_EQ(dispatched, portable) << text;
    }
    if (!damaged) {
      ASSERT_TRUE(a) << text;
      ASSERT_EQ(dispatched, stamps);
    }
  }
}

}  // namespace
}  // namespace servemeter
