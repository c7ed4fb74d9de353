#pragma once
// What the server says about itself (version, launch settings), kept verbatim beside the results:
//   vllm      GET /version
//   sglang    GET /get_server_info, else GET /server_info (newer builds)
//   ollama    GET /api/version and POST /api/show {"model": …}
//   llamacpp  GET /props
// Other frameworks: nothing is asked.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "telemetry/telemetry_http.h"

namespace servemeter::telemetry {

struct ServerInfoEntry {
  std::string source_url;
  long status = 0;      // 0: no HTTP answer
  nlohmann::json body;  // the JSON answer, or its text (cut at 4 KiB, valid UTF-8), or null
  std::string error;    // why there was no answer
};

// Never throws; each endpoint answers or says why not, within options.timeout_ms.
std::vector<ServerInfoEntry> fetch_server_info(std::string_view framework,
                                               const std::string& base_url,
                                               const std::string& model,
                                               const TelemetryHttpOptions& options = {});

// [{source_url, status, body, error?}, …]
nlohmann::json server_info_json(const std::vector<ServerInfoEntry>& entries);

}  // namespace servemeter::telemetry
