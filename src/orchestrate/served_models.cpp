#include "orchestrate/served_models.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "http/http_get.h"

namespace servemeter {

std::optional<std::vector<std::string>> served_models(const std::string& base_url,
                                                      const std::string& api_key,
                                                      const http::TlsOptions& tls, long timeout_ms,
                                                      bool* unauthorized) {
  const std::pair<const char*, const char*> listings[] = {{"/v1/models", "data"},
                                                          {"/api/tags", "models"}};
  for (const auto& [path, array_key] : listings) {
    const GetResult got = http_get(base_url + path, api_key, tls, timeout_ms, true);
    if ((got.status == 401 || got.status == 403) && unauthorized != nullptr) *unauthorized = true;
    if (got.status != 200) continue;
    const auto doc = nlohmann::json::parse(got.body, nullptr, /*allow_exceptions=*/false);
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

std::optional<int> served_context_length(const std::string& base_url, const std::string& model_id,
                                         const std::string& api_key, const http::TlsOptions& tls) {
  const GetResult got = http_get(base_url + "/v1/models", api_key, tls, 5000, true);
  if (got.status != 200) return std::nullopt;
  const auto doc = nlohmann::json::parse(got.body, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || !doc.contains("data") || !doc["data"].is_array()) return std::nullopt;
  for (const auto& entry : doc["data"]) {
    if (!entry.is_object() || entry.value("id", std::string()) != model_id) continue;
    const auto it = entry.find("max_model_len");
    if (it != entry.end() && it->is_number_integer() && it->get<long long>() > 0)
      return static_cast<int>(it->get<long long>());
  }
  return std::nullopt;
}

bool model_is_served(const std::string& model_id, const std::vector<std::string>& served) {
  return std::any_of(served.begin(), served.end(), [&](const std::string& s) {
    return s == model_id || s == model_id + ":latest" || model_id == s + ":latest";
  });
}

}  // namespace servemeter
