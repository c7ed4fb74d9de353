#include "http/http_get.h"

#include <curl/curl.h>

namespace servemeter {
namespace {

struct Sinks {
  GetResult* result;
  bool keep_body;
  std::size_t max_body_bytes;
  const std::function<void(std::string_view)>* on_header;
  const OneShotRequest* request;
  bool stopped_by_caller = false;
};

size_t on_body(char* data, size_t size, size_t count, void* sinks) {
  auto& s = *static_cast<Sinks*>(sinks);
  const size_t n = size * count;
  if (s.request->on_body_piece) {
    if (s.request->on_body_piece(std::string_view(data, n))) return n;
    s.stopped_by_caller = true;
    return 0;  // ends the transfer with CURLE_WRITE_ERROR
  }
  if (!s.keep_body) return n;
  if (s.max_body_bytes != 0 && s.result->body.size() + n > s.max_body_bytes) {
    s.result->body.append(data, s.max_body_bytes - s.result->body.size());
    s.result->body_truncated = true;
    return 0;  // ends the transfer with CURLE_WRITE_ERROR
  }
  s.result->body.append(data, n);
  return n;
}

size_t on_header_line(char* data, size_t size, size_t count, void* sinks) {
  auto& s = *static_cast<Sinks*>(sinks);
  if (*s.on_header) (*s.on_header)(std::string_view(data, size * count));
  return size * count;
}

int on_transfer_progress(void* sinks, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto& s = *static_cast<Sinks*>(sinks);
  if (!s.request->keep_going || s.request->keep_going()) return 0;
  s.stopped_by_caller = true;
  return 1;  // ends the transfer with CURLE_ABORTED_BY_CALLBACK
}

}  // namespace

GetResult http_request(const OneShotRequest& request,
                       const std::function<void(std::string_view)>& on_header) {
  GetResult result;
  Sinks sinks{&result, request.keep_body, request.max_body_bytes, &on_header, &request};
  CURL* curl = curl_easy_init();
  if (curl == nullptr) {
    result.error = "could not start an HTTP transfer (libcurl out of memory)";
    return result;
  }
  curl_slist* headers = nullptr;
  if (!request.api_key.empty())
    headers = curl_slist_append(headers, ("Authorization: Bearer " + request.api_key).c_str());
  if (!request.json_body.empty()) {
    headers = curl_slist_append(headers, "Content-Type: application/json");
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.json_body.size()));
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.json_body.data());
  }
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, request.timeout_ms);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  char detail[CURL_ERROR_SIZE] = {};  // "SSL certificate problem: …" beats the generic text
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, detail);
  http::apply_tls_options(curl, request.tls);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sinks);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header_line);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &sinks);
  if (request.keep_going) {
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_transfer_progress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &sinks);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  }
  if (request.stall_timeout_s > 0) {
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, request.stall_timeout_s);
  }
  const CURLcode rc = curl_easy_perform(curl);
  if (rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && result.body_truncated))
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.status);
  else if (sinks.stopped_by_caller) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.status);
    result.error = "stopped by the caller";
  } else
    result.error = detail[0] != '\0' ? detail : curl_easy_strerror(rc);
  result.untrusted_certificate = rc == CURLE_PEER_FAILED_VERIFICATION ||
                                 rc == CURLE_SSL_CACERT_BADFILE || rc == CURLE_SSL_ISSUER_ERROR;
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return result;
}

GetResult http_get(const std::string& url, const std::string& api_key, const http::TlsOptions& tls,
                   long timeout_ms, bool keep_body,
                   const std::function<void(std::string_view)>& on_header) {
  OneShotRequest request;
  request.url = url;
  request.api_key = api_key;
  request.tls = tls;
  request.timeout_ms = timeout_ms;
  request.keep_body = keep_body;
  return http_request(request, on_header);
}

}  // namespace servemeter
