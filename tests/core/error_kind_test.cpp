#include "core/error_kind.h"

#include <gtest/gtest.h>

namespace servemeter {
namespace {

TEST(ErrorKind, StatusesSplitIntoTheirKinds) {
  EXPECT_EQ(error_kind_for_status(429), ErrorKind::rate_limited);
  EXPECT_EQ(error_kind_for_status(500), ErrorKind::server_error);
  EXPECT_EQ(error_kind_for_status(503), ErrorKind::server_error);
  EXPECT_EQ(error_kind_for_status(599), ErrorKind::server_error);
  EXPECT_EQ(error_kind_for_status(400), ErrorKind::client_error);
  EXPECT_EQ(error_kind_for_status(404), ErrorKind::client_error);
  EXPECT_EQ(error_kind_for_status(499), ErrorKind::client_error);
  EXPECT_EQ(error_kind_for_status(302), ErrorKind::http_status);
  EXPECT_EQ(error_kind_for_status(101), ErrorKind::http_status);
  EXPECT_EQ(error_kind_for_status(600), ErrorKind::http_status);
  EXPECT_EQ(error_kind_for_status(0), ErrorKind::http_status);
}

TEST(ErrorKind, EveryNameOfTheResultsFormatRoundTrips) {
  for (const char* name :
       {"none", "connect", "timeout", "rate_limited", "server_error", "client_error", "http_status",
        "stream_error", "truncated", "bad_payload", "oversized", "cancelled"}) {
    const auto kind = parse_error_kind(name);
    ASSERT_TRUE(kind.has_value()) << name;
    EXPECT_EQ(to_string(*kind), name);
  }
  EXPECT_FALSE(parse_error_kind("http_error").has_value());
}

}  // namespace
}  // namespace servemeter
