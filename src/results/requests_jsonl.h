#pragma once
// The raw per-request file: one JSON object per line, versioned. It is the contract between
// measuring and analysing; every figure can be recomputed from it.
#include <nlohmann/json.hpp>
#include <string>

#include "core/request_record.h"

namespace servemeter {

inline constexpr const char* kRequestSchema = "servemeter.request/1";

nlohmann::json request_json(const RequestRecord& record, const std::string& scenario);
// Parses one line written by request_json; throws std::runtime_error naming the bad field.
RequestRecord parse_request_json(const nlohmann::json& line);

}  // namespace servemeter
