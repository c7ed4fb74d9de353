// ApiAdapter::record_http_error: a non-2xx answer, read once per failed request (nlohmann).
#include <nlohmann/json.hpp>
#include <string>

#include "protocol/api_adapter.h"

namespace servemeter {
namespace {

using nlohmann::json;

constexpr size_t kExcerpt = 80;

// The body's first characters on one line, for messages about bodies we cannot read.
std::string excerpt(std::string_view body) {
  std::string out;
  for (char c : body.substr(0, kExcerpt)) {
    out.push_back(c == '\n' || c == '\r' || c == '\t' ? ' ' : c);
  }
  if (body.size() > kExcerpt) out += "...";
  return out;
}

std::string compact(const json& value) {
  std::string text = value.dump();
  if (text.size() > 2 * kExcerpt) text = text.substr(0, 2 * kExcerpt) + "...";
  return text;
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
  record.error = ErrorKind::http_status;
  record.http_status = status;
  const std::string code = "HTTP " + std::to_string(status);
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    record.error_message = "server answered " + code + " with an empty body";
    return;
  }
  const json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    record.error_message =
        "server answered " + code + " with a non-JSON body: '" + excerpt(body) + "'";
    return;
  }
  std::string message = message_of(parsed);
  record.error_message =
      message.empty() ? "server answered " + code + ": " + compact(parsed) : std::move(message);
}

}  // namespace servemeter
