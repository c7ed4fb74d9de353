#pragma once
// One blocking GET for pre-flight checks (health, model listing): not the measuring client.
#include <functional>
#include <string>
#include <string_view>

#include "http/tls_options.h"

namespace servemeter {

struct GetResult {
  long status = 0;                     // 0: no HTTP answer
  std::string body;                    // kept only when asked for
  std::string error;                   // curl's message when there was no answer
  bool untrusted_certificate = false;  // a TLS server whose certificate we do not trust
};

// `on_header` sees each response header line; `keep_body` keeps the body in the result.
GetResult http_get(const std::string& url, const std::string& api_key, const http::TlsOptions& tls,
                   long timeout_ms, bool keep_body,
                   const std::function<void(std::string_view)>& on_header = nullptr);

}  // namespace servemeter
