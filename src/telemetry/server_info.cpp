#include "telemetry/server_info.h"

#include <algorithm>

#include "http/http_get.h"
#include "telemetry/utf8_excerpt.h"

namespace servemeter::telemetry {
namespace {

using nlohmann::json;

constexpr std::size_t kTextExcerpt = 4096;
constexpr std::size_t kInfoBodyLimit = 1u << 20;  // /api/show carries the license and template

ServerInfoEntry ask(const std::string& url, const TelemetryHttpOptions& options,
                    std::string json_body = {}) {
  OneShotRequest request;
  request.url = url;
  request.api_key = options.api_key;
  request.tls = options.tls;
  request.timeout_ms = options.timeout_ms;
  request.max_body_bytes = std::max(options.max_body_bytes, kInfoBodyLimit);
  request.json_body = std::move(json_body);
  const GetResult got = http_request(request);
  ServerInfoEntry entry;
  entry.source_url = url;
  entry.status = got.status;
  if (got.status == 0) {
    entry.error = got.error.empty() ? "no answer" : got.error;
    entry.body = nullptr;
    return entry;
  }
  json parsed = got.body_truncated ? json(json::value_t::discarded)
                                   : json::parse(got.body, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_discarded())
    entry.body = std::move(parsed);
  else
    entry.body = utf8_excerpt(got.body, kTextExcerpt);
  return entry;
}

}  // namespace

std::vector<ServerInfoEntry> fetch_server_info(std::string_view framework,
                                               const std::string& base_url,
                                               const std::string& model,
                                               const TelemetryHttpOptions& options) {
  std::vector<ServerInfoEntry> entries;
  if (framework == "vllm") {
    entries.push_back(ask(base_url + "/version", options));
  } else if (framework == "sglang") {
    ServerInfoEntry first = ask(base_url + "/get_server_info", options);
    if (first.status == 200) {
      entries.push_back(std::move(first));
    } else {
      // Newer builds renamed it; keep the first answer too when neither works.
      ServerInfoEntry second = ask(base_url + "/server_info", options);
      if (second.status != 200) entries.push_back(std::move(first));
      entries.push_back(std::move(second));
    }
  } else if (framework == "ollama") {
    entries.push_back(ask(base_url + "/api/version", options));
    entries.push_back(
        ask(base_url + "/api/show", options,
            json{{"model", model}}.dump(-1, ' ', false, json::error_handler_t::replace)));
  } else if (framework == "llamacpp") {
    entries.push_back(ask(base_url + "/props", options));
  }
  return entries;
}

json server_info_json(const std::vector<ServerInfoEntry>& entries) {
  json out = json::array();
  for (const auto& e : entries) {
    json one{{"source_url", e.source_url}, {"status", e.status}, {"body", e.body}};
    if (!e.error.empty()) one["error"] = utf8_excerpt(e.error, kTextExcerpt);
    out.push_back(std::move(one));
  }
  return out;
}

}  // namespace servemeter::telemetry
