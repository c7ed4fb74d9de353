#include "orchestrate/base_url.h"

#include <curl/curl.h>

#include <memory>

namespace servemeter {
namespace {
struct UrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
struct CurlStringDeleter {
  void operator()(char* s) const { curl_free(s); }
};
std::string part(CURLU* url, CURLUPart which) {
  char* raw = nullptr;
  if (curl_url_get(url, which, &raw, 0) != CURLUE_OK) return {};
  std::unique_ptr<char, CurlStringDeleter> owned(raw);
  return raw;
}
}  // namespace

std::optional<ParsedBaseUrl> parse_base_url(const std::string& url, std::string& why) {
  std::unique_ptr<CURLU, UrlDeleter> handle(curl_url());
  if (const CURLUcode rc = curl_url_set(handle.get(), CURLUPART_URL, url.c_str(), 0);
      rc != CURLUE_OK) {
    why = curl_url_strerror(rc);
    return std::nullopt;
  }
  ParsedBaseUrl parsed;
  parsed.scheme = part(handle.get(), CURLUPART_SCHEME);
  parsed.host = part(handle.get(), CURLUPART_HOST);
  if (parsed.scheme != "http" && parsed.scheme != "https") {
    why = "scheme must be http or https";
    return std::nullopt;
  }
  if (parsed.host.empty()) {
    why = "no host";
    return std::nullopt;
  }
  const std::string path = part(handle.get(), CURLUPART_PATH);
  if (!path.empty() && path != "/") {
    why = "give the server root without a path (e.g. http://127.0.0.1:8000, not .../v1)";
    return std::nullopt;
  }
  const std::string port = part(handle.get(), CURLUPART_PORT);
  parsed.port = port.empty() ? (parsed.scheme == "https" ? 443 : 80) : std::stoi(port);
  parsed.normalized = parsed.scheme + "://" + parsed.host + (port.empty() ? "" : ":" + port);
  return parsed;
}

}  // namespace servemeter
