#pragma once
// Bodies of non-streamed generation answers ("stream": false), in each server's shape.
#include <string>
#include <string_view>

#include "sim/emitter.h"

namespace servemeter::sim {

std::string_view nonstream_content_type(const StreamInfo& info);
std::string nonstream_body(const StreamInfo& info, const FinishInfo& f, const std::string& content,
                           const std::string& reasoning);

}  // namespace servemeter::sim
