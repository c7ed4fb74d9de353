// ApiAdapter::record_http_error: a non-2xx answer, read once per failed request (nlohmann).
#include <nlohmann/json.hpp>
#include <string>

#include "core/text.h"
#include "protocol/api_adapter.h"

namespace servemeter {
namespace {

using nlohmann::json;

constexpr size_t kExcerpt = 80;
// A server's own message is kept whole up to this (they are a sentence or two); the HTTP layer
// cuts records' messages shorter still, after scrubbing credentials from the whole text.
constexpr size_t kMaxMessage = 8 * 1024;

// The body's first characters on one line, valid UTF-8 (a latin-1 proxy page included), for
// messages about bodies we cannot read.
std::string excerpt(std::string_view body) {
  std::string out = valid_utf8(body, kExcerpt);
  for (char& c : out) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return out;
}

std::string compact(const json& value) {
  // Strings parsed by nlohmann are valid UTF-8, so dump() cannot throw.
  return valid_utf8(value.dump(), 2 * kExcerpt);
}

// The message in the error shapes servers use; empty if none of them matches.
std::string message_of(const json& body) {
  if (!body.is_object()) return {};
  if (auto error = body.find("error"); error != body.end()) {
    if (error->is_string()) return error->get<std::string>();  // Ollama native
    if (error->is_object()) {  // vLLM, SGLang /generate, llama.cpp, Ollama /v1
      if (auto message = error->find("message"); message != error->end() && message->is_string()) {
        return message->get<std::string>();
      }
    }
    return compact(*error);
  }
  // SGLang OpenAI layer (and vLLM <= 0.10.1): flat {"object":"error","message":…}.
  if (auto message = body.find("message"); message != body.end() && message->is_string()) {
    return message->get<std::string>();
  }
  // FastAPI's own errors (unknown route, request validation): {"detail": …}.
  if (auto detail = body.find("detail"); detail != body.end()) {
    return detail->is_string() ? detail->get<std::string>() : compact(*detail);
  }
  return {};
}

}  // namespace

void ApiAdapter::record_http_error(int status, std::string_view body, RequestRecord& record) const {
  record.error = error_kind_for_status(status);
  record.http_status = status;
  const std::string code = "HTTP " + std::to_string(status);
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    record.error_message = "server answered " + code + " with an empty body";
    return;
  }
  // nlohmann rejects invalid UTF-8, so a body in another charset is quoted as non-JSON.
  const json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    record.error_message =
        "server answered " + code + " with a non-JSON body: '" + excerpt(body) + "'";
    return;
  }
  const std::string message = message_of(parsed);
  record.error_message = message.empty() ? "server answered " + code + ": " + compact(parsed)
                                         : valid_utf8(message, kMaxMessage);
}

}  // namespace servemeter
