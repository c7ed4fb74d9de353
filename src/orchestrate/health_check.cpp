#include "orchestrate/health_check.h"

#include <strings.h>

#include <chrono>
#include <cstdlib>
#include <string_view>
#include <thread>

#include "core/clock.h"
#include "http/http_get.h"

namespace servemeter {
namespace {

// The simulator names itself in these headers, so results against it are always labelled.
constexpr std::string_view kSimulatedHeader = "x-servemeter-simulated:";
constexpr std::string_view kTimeScaleHeader = "x-servemeter-time-scale:";

bool starts_with_header(std::string_view line, std::string_view name) {
  return line.size() >= name.size() && strncasecmp(line.data(), name.data(), name.size()) == 0;
}

void watch_header(std::string_view line, HealthResult& health) {
  if (starts_with_header(line, kSimulatedHeader)) health.simulated = true;
  if (starts_with_header(line, kTimeScaleHeader)) {
    const double scale = std::atof(std::string(line.substr(kTimeScaleHeader.size())).c_str());
    if (scale > 0) health.time_scale = scale;
  }
}

HealthProbe probe(const std::string& url, const HealthOptions& options, HealthResult& health) {
  const GetResult got = http_get(url, options.api_key, options.tls, options.timeout_ms, false,
                                 [&](std::string_view line) { watch_header(line, health); });
  return {url, got.status, got.status != 0 ? "HTTP " + std::to_string(got.status) : got.error,
          got.untrusted_certificate};
}

}  // namespace

std::string HealthResult::describe() const {
  std::string text;
  for (const auto& p : probes)
    text += (text.empty() ? "" : "; ") + ("GET " + p.url + ": " + p.outcome);
  return text;
}

bool HealthResult::untrusted_certificate() const {
  for (const auto& p : probes)
    if (p.untrusted_certificate) return true;
  return false;
}

bool HealthResult::needs_api_key() const {
  for (const auto& p : probes)
    if (p.status == 401 || p.status == 403) return true;
  return false;
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
      // A server that is there but not ready (503 while loading the model), or that wants a
      // key: the other paths would only tell us it is up, not that it can serve.
      if (status >= 500 || status == 401 || status == 403) break;
    }
    if (monotonic_ns() >= deadline || (options.stop != nullptr && *options.stop != 0))
      return result;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

}  // namespace servemeter
