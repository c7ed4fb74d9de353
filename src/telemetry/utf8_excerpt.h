#pragma once
// Text from outside (server bodies, nvidia-smi's messages) made safe for a JSON document:
// nlohmann::json refuses to write invalid UTF-8, and a result file must never fail on it.
#include <cstddef>
#include <string>
#include <string_view>

namespace servemeter::telemetry {

// `text` cut to at most `max_bytes` on a character boundary, invalid UTF-8 replaced by U+FFFD.
std::string utf8_excerpt(std::string_view text, std::size_t max_bytes);

}  // namespace servemeter::telemetry
