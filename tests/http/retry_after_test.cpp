#include "http/retry_after.h"

#include <gtest/gtest.h>

namespace servemeter::http {
namespace {

constexpr std::int64_t kNow = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT (RFC 9110's example)

TEST(RetryAfter, DelaySeconds) {
  EXPECT_EQ(parse_retry_after("120", kNow), 120.0);
  EXPECT_EQ(parse_retry_after(" 0 ", kNow), 0.0);
  EXPECT_EQ(parse_retry_after("99999999999999", kNow), 1e9);  // kept finite
}

TEST(RetryAfter, HttpDatesInAllThreeForms) {
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:51:37 GMT", kNow), 120.0);  // IMF-fixdate
  EXPECT_EQ(parse_retry_after("Sunday, 06-Nov-94 08:50:37 GMT", kNow), 60.0);  // RFC 850
  EXPECT_EQ(parse_retry_after("Sun Nov  6 08:49:47 1994", kNow), 10.0);        // asctime
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", kNow), 0.0);    // past: now
}

TEST(RetryAfter, NonsenseIsAbsent) {
  EXPECT_FALSE(parse_retry_after("", kNow).has_value());
  EXPECT_FALSE(parse_retry_after("soon", kNow).has_value());
  EXPECT_FALSE(parse_retry_after("-5", kNow).has_value());
  EXPECT_FALSE(parse_retry_after("1.5", kNow).has_value());
  EXPECT_FALSE(parse_retry_after("Sun, 06 Nov 1994 25:00:00 GMT", kNow).has_value());
}

}  // namespace
}  // namespace servemeter::http
