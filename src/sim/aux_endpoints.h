#pragma once
// Everything but generation: health, models, version, tokenize, metrics, Ollama's tags/ps/pull,
// SGLang's model info and flush_cache. Shapes follow shared/fixtures/wire.
#include <optional>
#include <string>

#include "sim/connection.h"

namespace servemeter::sim {

// The answer for `path`, or nullopt when the profile has no such endpoint.
std::optional<Reply> aux_endpoint(ServerState& state, const std::string& path, bool get, bool post,
                                  const std::string& body);

// Prometheus text exposition (0.0.4) with the profile's metric names.
std::string metrics_text(ServerState& state);

}  // namespace servemeter::sim
