#include "orchestrate/health_check.h"

#include <curl/curl.h>
#include <strings.h>

#include <chrono>
#include <cstdlib>
#include <string_view>
#include <thread>

#include "core/clock.h"

namespace servemeter {
namespace {

// The simulator names itself in these headers, so results against it are always labelled.
constexpr std::string_view kSimulatedHeader = "x-servemeter-simulated:";
constexpr std::string_view kTimeScaleHeader = "x-servemeter-time-scale:";

size_t discard_body(char*, size_t size, size_t count, void*) {
  return size * count;
}

bool starts_with_header(std::string_view line, std::string_view name) {
  return line.size() >= name.size() && strncasecmp(line.data(), name.data(), name.size()) == 0;
}

size_t watch_headers(char* data, size_t size, size_t count, void* result) {
  const std::string_view line(data, size * count);
  auto& health = *static_cast<HealthResult*>(result);
  if (starts_with_header(line, kSimulatedHeader)) health.simulated = true;
  if (starts_with_header(line, kTimeScaleHeader)) {
    const double scale = std::atof(std::string(line.substr(kTimeScaleHeader.size())).c_str());
    if (scale > 0) health.time_scale = scale;
  }
  return line.size();
}

HealthProbe probe(const std::string& url, const HealthOptions& options, HealthResult& health) {
  HealthProbe result{url, 0, ""};
  CURL* curl = curl_easy_init();
  curl_slist* headers = nullptr;
  if (!options.api_key.empty())
    headers = curl_slist_append(headers, ("Authorization: Bearer " + options.api_key).c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, options.timeout_ms);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard_body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, watch_headers);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &health);
  const CURLcode rc = curl_easy_perform(curl);
  if (rc == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.status);
    result.outcome = "HTTP " + std::to_string(result.status);
  } else {
    result.outcome = curl_easy_strerror(rc);
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return result;
}

}  // namespace

std::string HealthResult::describe() const {
  std::string text;
  for (const auto& p : probes)
    text += (text.empty() ? "" : "; ") + ("GET " + p.url + ": " + p.outcome);
  return text;
}

HealthResult check_health(const std::string& base_url, const std::string& health_path,
                          const HealthOptions& options) {
  std::vector<std::string> paths{health_path.empty() ? "/health" : health_path};
  for (const char* fallback : {"/v1/models", "/api/tags"})
    if (paths.front() != fallback) paths.emplace_back(fallback);

  const std::int64_t deadline = monotonic_ns() + static_cast<std::int64_t>(options.wait_s * 1e9);
  HealthResult result;
  while (true) {
    result.probes.clear();
    for (const auto& path : paths) {
      result.probes.push_back(probe(base_url + path, options, result));
      const long status = result.probes.back().status;
      if (status >= 200 && status < 300) {
        result.healthy = true;
        return result;
      }
      // A server that is there but not ready (503 while loading the model): the other paths
      // would only tell us it is up, not that it can serve.
      if (status >= 500) break;
    }
    if (monotonic_ns() >= deadline) return result;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

}  // namespace servemeter
