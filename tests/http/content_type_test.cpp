#include "http/content_type.h"

#include <gtest/gtest.h>

namespace servemeter::http {
namespace {

TEST(ContentType, AcceptsStreamingAndJsonTypes) {
  EXPECT_TRUE(is_streamable_content_type("text/event-stream"));
  EXPECT_TRUE(is_streamable_content_type("text/event-stream; charset=utf-8"));
  EXPECT_TRUE(is_streamable_content_type("application/json"));
  EXPECT_TRUE(is_streamable_content_type("Application/JSON; charset=UTF-8"));
  EXPECT_TRUE(is_streamable_content_type("application/x-ndjson"));
  EXPECT_TRUE(is_streamable_content_type("application/problem+json"));
  EXPECT_TRUE(is_streamable_content_type(""));  // absent: the parser judges the bytes
}

TEST(ContentType, RejectsPagesAndText) {
  EXPECT_FALSE(is_streamable_content_type("text/html"));
  EXPECT_FALSE(is_streamable_content_type("text/html; charset=utf-8"));
  EXPECT_FALSE(is_streamable_content_type("text/plain"));
  EXPECT_FALSE(is_streamable_content_type("application/octet-stream"));
}

}  // namespace
}  // namespace servemeter::http
