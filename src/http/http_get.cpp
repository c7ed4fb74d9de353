#include "http/http_get.h"

#include <curl/curl.h>

namespace servemeter {
namespace {

struct Sinks {
  GetResult* result;
  bool keep_body;
  const std::function<void(std::string_view)>* on_header;
};

size_t on_body(char* data, size_t size, size_t count, void* sinks) {
  auto& s = *static_cast<Sinks*>(sinks);
  if (s.keep_body) s.result->body.append(data, size * count);
  return size * count;
}

size_t on_header_line(char* data, size_t size, size_t count, void* sinks) {
  auto& s = *static_cast<Sinks*>(sinks);
  if (*s.on_header) (*s.on_header)(std::string_view(data, size * count));
  return size * count;
}

}  // namespace

GetResult http_get(const std::string& url, const std::string& api_key, const http::TlsOptions& tls,
                   long timeout_ms, bool keep_body,
                   const std::function<void(std::string_view)>& on_header) {
  GetResult result;
  Sinks sinks{&result, keep_body, &on_header};
  CURL* curl = curl_easy_init();
  curl_slist* headers = nullptr;
  if (!api_key.empty())
    headers = curl_slist_append(headers, ("Authorization: Bearer " + api_key).c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  char detail[CURL_ERROR_SIZE] = {};  // "SSL certificate problem: …" beats the generic text
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, detail);
  http::apply_tls_options(curl, tls);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sinks);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header_line);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &sinks);
  const CURLcode rc = curl_easy_perform(curl);
  if (rc == CURLE_OK)
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.status);
  else
    result.error = detail[0] != '\0' ? detail : curl_easy_strerror(rc);
  result.untrusted_certificate = rc == CURLE_PEER_FAILED_VERIFICATION ||
                                 rc == CURLE_SSL_CACERT_BADFILE || rc == CURLE_SSL_ISSUER_ERROR;
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return result;
}

}  // namespace servemeter
