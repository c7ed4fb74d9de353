// record_http_error on the servers' real error bodies and on bodies that are not JSON at all.
#include <gtest/gtest.h>

#include "core/text.h"
#include "transcript_util.h"

namespace servemeter::test {
namespace {

struct ErrorBody {
  std::string file;
  int status;
  std::string message;
};

class HttpErrorBody : public ::testing::TestWithParam<ErrorBody> {};

TEST_P(HttpErrorBody, MessageComesFromTheServerBody) {
  const ErrorBody& e = GetParam();
  const std::string body = read_fixture(e.file);
  ASSERT_FALSE(body.empty()) << e.file;
  for (const char* api : {"openai-chat", "ollama-chat", "sglang-generate"}) {
    RequestRecord record;
    make_adapter(api)->record_http_error(e.status, body, record);
    EXPECT_EQ(record.error, ErrorKind::client_error);  // every fixture is a 400 or a 404
    EXPECT_EQ(record.http_status, e.status);
    EXPECT_EQ(record.error_message, e.message) << e.file << " via " << api;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Wire, HttpErrorBody,
    ::testing::Values(
        ErrorBody{"vllm/vllm_error_400_context_length.json", 400,
                  "This model's maximum context length is 8192 tokens. However, your request has "
                  "9000 input tokens. Please reduce the length of the input messages. "
                  "(parameter=input_tokens, value=9000)"},
        ErrorBody{"vllm/vllm_error_400_max_tokens_too_large.json", 400,
                  "'max_tokens' or 'max_completion_tokens' is too large: 8000. This model's "
                  "maximum context length is 8192 tokens and your request has 500 input tokens "
                  "(8000 > 8192 - 500). (parameter=max_tokens, value=8000)"},
        ErrorBody{"vllm/vllm_error_404_model_not_found.json", 404,
                  "The model `gpt-4o` does not exist."},
        ErrorBody{"sglang/sglang_error_400_context_length.json", 400,
                  "The input (9000 tokens) is longer than the model's context length (8192 "
                  "tokens)."},
        ErrorBody{"ollama/ollama_api_chat_error_404.json", 404, "model 'gpt-oss:120b' not found"},
        ErrorBody{"ollama/ollama_v1_chat_error_404.json", 404, "model 'gpt-oss:120b' not found"},
        ErrorBody{"llamacpp/llamacpp_error_400_context.json", 400,
                  "request (9010 tokens) exceeds the available context size (8192 tokens), try "
                  "increasing it"}),
    [](const auto& info) {
      std::string name = info.param.file.substr(info.param.file.find('/') + 1);
      for (char& c : name) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
      return name;
    });

TEST(HttpError, HtmlBodySaysNonJsonWithAnExcerpt) {
  RequestRecord record;
  const std::string html =
      "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad "
      "Gateway</h1></center>\r\n<hr><center>nginx/1.24.0</center>\r\n</body>\r\n</html>\r\n";
  make_adapter("openai-chat")->record_http_error(502, html, record);
  EXPECT_EQ(record.error, ErrorKind::server_error);
  EXPECT_EQ(record.http_status, 502);
  EXPECT_EQ(record.error_message.rfind("server answered HTTP 502 with a non-JSON body: '<html>", 0),
            0u)
      << record.error_message;
  EXPECT_NE(record.error_message.find("502 Bad Gateway"), std::string::npos);
  EXPECT_EQ(record.error_message.find('\n'), std::string::npos);
  EXPECT_LT(record.error_message.size(), 160u);
}

TEST(HttpError, EmptyPlainTextAndFastApiBodies) {
  const auto adapter = make_adapter("openai-chat");
  RequestRecord empty;
  adapter->record_http_error(503, "", empty);
  EXPECT_EQ(empty.error_message, "server answered HTTP 503 with an empty body");
  RequestRecord text;
  adapter->record_http_error(500, "Internal Server Error", text);
  EXPECT_EQ(text.error_message,
            "server answered HTTP 500 with a non-JSON body: 'Internal Server Error'");
  RequestRecord detail;
  adapter->record_http_error(404, "{\"detail\":\"Not Found\"}", detail);
  EXPECT_EQ(detail.error_message, "Not Found");
  RequestRecord other;
  adapter->record_http_error(429, "{\"foo\":1}", other);
  EXPECT_EQ(other.error_message, "server answered HTTP 429: {\"foo\":1}");
}

TEST(HttpError, KindFollowsTheStatus) {
  const auto adapter = make_adapter("openai-chat");
  for (const auto& [status, kind] :
       std::vector<std::pair<int, ErrorKind>>{{429, ErrorKind::rate_limited},
                                              {500, ErrorKind::server_error},
                                              {503, ErrorKind::server_error},
                                              {400, ErrorKind::client_error},
                                              {404, ErrorKind::client_error},
                                              {302, ErrorKind::http_status}}) {
    RequestRecord record;
    adapter->record_http_error(status, R"({"error":{"message":"no"}})", record);
    EXPECT_EQ(record.error, kind) << status;
    EXPECT_EQ(record.http_status, status);
    EXPECT_EQ(record.error_message, "no");
  }
}

TEST(HttpError, Latin1ProxyPageBecomesValidUtf8) {
  // An nginx error page in ISO-8859-1: "Passerelle défaillante" with é as the byte 0xE9.
  const std::string page =
      "<html><head><title>502 Passerelle d\xE9"
      "faillante</title></head><body>r\xE9"
      "essayez "
      "plus tard</body></html>";
  RequestRecord record;
  make_adapter("openai-chat")->record_http_error(502, page, record);
  EXPECT_EQ(record.error, ErrorKind::server_error);
  EXPECT_TRUE(is_valid_utf8(record.error_message)) << record.error_message;
  EXPECT_NE(record.error_message.find("502 Passerelle d\xEF\xBF\xBD"
                                      "faillante"),
            std::string::npos)
      << record.error_message;
}

TEST(HttpError, LongServerMessageIsBounded) {
  const std::string body =
      R"({"error":{"message":")" + std::string(100'000, 'x') + R"(","type":"BadRequestError"}})";
  RequestRecord record;
  make_adapter("openai-chat")->record_http_error(400, body, record);
  EXPECT_LE(record.error_message.size(), 8u * 1024);
  EXPECT_EQ(record.error_message.rfind("xxxx", 0), 0u);
  EXPECT_TRUE(is_valid_utf8(record.error_message));
}

}  // namespace
}  // namespace servemeter::test
