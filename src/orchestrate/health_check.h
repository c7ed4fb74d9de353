#pragma once
// Is the server there and ready? Tries the preset's health path, then /v1/models, then
// /api/tags, so an unknown OpenAI-compatible server or an Ollama behind another name is still
// recognised; a 5xx answer (server loading) is "not ready" without trying the others.
#include <csignal>
#include <string>
#include <vector>

#include "http/tls_options.h"

namespace servemeter {

struct HealthProbe {
  std::string url;
  long status = 0;      // 0: no HTTP answer
  std::string outcome;  // "200", "connection refused", …
  bool untrusted_certificate = false;
};

struct HealthResult {
  bool healthy = false;
  bool simulated = false;   // the server identified itself as servemeter's simulator
  double time_scale = 1.0;  // the simulator's --time-scale (x-servemeter-time-scale header)
  std::vector<HealthProbe> probes;
  std::string describe() const;  // "GET http://…/health: connection refused; GET …"
  // A TLS server answered, with a certificate we do not trust (--cacert, --insecure).
  bool untrusted_certificate() const;
  // The server answered 401 or 403: it wants an API key (or rejected the one sent).
  bool needs_api_key() const;
};

struct HealthOptions {
  std::string api_key;  // sent as a bearer token when set
  http::TlsOptions tls;
  long timeout_ms = 5000;
  double wait_s = 0;  // keep retrying (every 0.5 s) for this long while unhealthy
  const volatile std::sig_atomic_t* stop = nullptr;  // non-zero (an interrupt): stop waiting
};

HealthResult check_health(const std::string& base_url, const std::string& health_path,
                          const HealthOptions& options);

}  // namespace servemeter
