#include "orchestrate/served_models.h"

#include <curl/curl.h>

#include <algorithm>
#include <nlohmann/json.hpp>

namespace servemeter {
namespace {

size_t append_body(char* data, size_t size, size_t count, void* body) {
  static_cast<std::string*>(body)->append(data, size * count);
  return size * count;
}

std::optional<std::string> get(const std::string& url, const std::string& api_key,
                               long timeout_ms) {
  std::string body;
  CURL* curl = curl_easy_init();
  curl_slist* headers = nullptr;
  if (!api_key.empty())
    headers = curl_slist_append(headers, ("Authorization: Bearer " + api_key).c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  long status = 0;
  const bool ok = curl_easy_perform(curl) == CURLE_OK &&
                  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK &&
                  status == 200;
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (!ok) return std::nullopt;
  return body;
}

}  // namespace

std::optional<std::vector<std::string>> served_models(const std::string& base_url,
                                                      const std::string& api_key, long timeout_ms) {
  const std::pair<const char*, const char*> listings[] = {{"/v1/models", "data"},
                                                          {"/api/tags", "models"}};
  for (const auto& [path, array_key] : listings) {
    const auto body = get(base_url + path, api_key, timeout_ms);
    if (!body) continue;
    const auto doc = nlohmann::json::parse(*body, nullptr, /*allow_exceptions=*/false);
    if (!doc.is_object() || !doc.contains(array_key) || !doc[array_key].is_array()) continue;
    std::vector<std::string> ids;
    for (const auto& entry : doc[array_key]) {
      for (const char* key : {"id", "name", "model"})
        if (entry.contains(key) && entry[key].is_string()) ids.push_back(entry[key]);
    }
    if (!ids.empty()) return ids;
  }
  return std::nullopt;
}

bool model_is_served(const std::string& model_id, const std::vector<std::string>& served) {
  return std::any_of(served.begin(), served.end(), [&](const std::string& s) {
    return s == model_id || s == model_id + ":latest" || model_id == s + ":latest";
  });
}

}  // namespace servemeter
