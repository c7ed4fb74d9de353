#include "core/secrets.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace servemeter {
namespace {

std::string scrubbed(std::string text, std::vector<std::string> secrets = {}) {
  scrub_secrets(text, secrets);
  return text;
}

TEST(ScrubSecrets, KnownSecretsGoEverywhere) {
  EXPECT_EQ(scrubbed("key sk-abc123 and again sk-abc123!", {"sk-abc123"}),
            "key <redacted> and again <redacted>!");
  // Too short to be a key: replacing it would blank ordinary words.
  EXPECT_EQ(scrubbed("the cat", {"cat", ""}), "the cat");
}

TEST(ScrubSecrets, BearerTokens) {
  EXPECT_EQ(scrubbed("got bearer abc.DEF-123_x/y+z= from you"), "got bearer <redacted> from you");
  EXPECT_EQ(scrubbed(R"({"auth":"Bearer sk-1234"})"), R"({"auth":"Bearer <redacted>"})");
  EXPECT_EQ(scrubbed("Bearer <redacted>"), "Bearer <redacted>");
  EXPECT_EQ(scrubbed("a bearerless sentence"), "a bearerless sentence");
}

TEST(ScrubSecrets, AuthorizationHeaderValues) {
  EXPECT_EQ(scrubbed("Authorization: Basic dXNlcjpwYXNz\r\nHost: x"),
            "Authorization: <redacted>\r\nHost: x");
  EXPECT_EQ(scrubbed(R"({"headers":{"authorization": "Token abc def"},"n":1})"),
            R"({"headers":{"authorization": "<redacted>"},"n":1})");
  EXPECT_EQ(scrubbed("missing authorization header"), "missing authorization header");
}

TEST(ScrubSecrets, ApiKeyParametersAndFields) {
  EXPECT_EQ(scrubbed("GET /v1/models?api_key=s3cr3t&x=1"), "GET /v1/models?api_key=<redacted>&x=1");
  EXPECT_EQ(scrubbed("?API-KEY=s3cr3t"), "?API-KEY=<redacted>");
  EXPECT_EQ(scrubbed("?apikey=s3cr3t"), "?apikey=<redacted>");
  EXPECT_EQ(scrubbed(R"({"api_key": "s3cr3t", "model": "m"})"),
            R"({"api_key": "<redacted>", "model": "m"})");
  EXPECT_EQ(scrubbed("x-api-key: s3cr3t"), "x-api-key: <redacted>");
  EXPECT_EQ(scrubbed("the api key is wrong"), "the api key is wrong");
}

TEST(ScrubSecrets, UrlPasswords) {
  EXPECT_EQ(scrubbed("cannot connect to http://bob:hunter2@proxy:8080/v1: refused"),
            "cannot connect to http://bob:<redacted>@proxy:8080/v1: refused");
  EXPECT_EQ(scrubbed("https://user@host/x and http://h:80/a@b"),
            "https://user@host/x and http://h:80/a@b");
}

}  // namespace
}  // namespace servemeter
