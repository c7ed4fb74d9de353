#pragma once
// A minimal adapter/parser for client tests: SSE frames on "\n\n", every data event except
// [DONE] is a token, truncated if [DONE] never came. It records what the client handed it.
#include <memory>
#include <string>
#include <string_view>

#include "protocol/api_adapter.h"

namespace servemeter::testing {

class FakeParser final : public StreamParser {
 public:
  void on_bytes(std::string_view bytes, std::int64_t arrival_ns, RequestRecord& record) override {
    ++bytes_calls;
    record.bytes_received += static_cast<std::int64_t>(bytes.size());  // StreamParser's contract
    buffer_.append(bytes);
    std::size_t end;
    while ((end = buffer_.find("\n\n")) != std::string::npos) {
      const std::string event = buffer_.substr(0, end);
      buffer_.erase(0, end + 2);
      if (event == "data: [DONE]") {
        done = true;
        continue;
      }
      record.token_event_ns.push_back(arrival_ns);
      if (record.first_token_ns == 0) record.first_token_ns = arrival_ns;
      if (record.first_content_ns == 0) record.first_content_ns = arrival_ns;
    }
  }
  void on_end(std::int64_t, RequestRecord& record) override {
    ++end_calls;
    record.output_tokens = static_cast<std::int64_t>(record.token_event_ns.size());
    record.output_tokens_source = TokenCountSource::chunk_count;
    if (!done && record.error == ErrorKind::none) {
      record.error = ErrorKind::truncated;
      record.error_message = "stream ended before [DONE]";
    }
  }
  int bytes_calls = 0;
  int end_calls = 0;
  bool done = false;

 private:
  std::string buffer_;
};

class FakeAdapter final : public ApiAdapter {
 public:
  std::string_view name() const override { return "fake"; }
  HttpRequestSpec build_request(const GenerationRequest& request) const override {
    return {"/v1/test", "{\"prompt\":\"" + request.prompt +
                            "\",\"max_tokens\":" + std::to_string(request.max_tokens) + "}"};
  }
  std::unique_ptr<StreamParser> new_parser() const override {
    return std::make_unique<FakeParser>();
  }
  void record_http_error(int status, std::string_view body, RequestRecord& record) const override {
    ++http_error_calls;
    last_error_body = std::string(body);
    record.error = ErrorKind::http_status;
    record.http_status = status;
    record.error_message = "HTTP " + std::to_string(status) + ": " + std::string(body);
  }
  mutable int http_error_calls = 0;
  mutable std::string last_error_body;
};

}  // namespace servemeter::testing
