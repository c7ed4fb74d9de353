#pragma once
// How telemetry talks to the server under test: the same credentials and TLS trust as the
// measuring client, a short timeout, and a bound on what it reads.
#include <cstddef>
#include <string>

#include "http/tls_options.h"

namespace servemeter::telemetry {

struct TelemetryHttpOptions {
  std::string api_key;
  http::TlsOptions tls;
  long timeout_ms = 5000;
  std::size_t max_body_bytes = 4u << 20;
};

}  // namespace servemeter::telemetry
