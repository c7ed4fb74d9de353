#pragma once
// Whether a 2xx answer's Content-Type is one a streaming API produces. A proxy or a wrong port
// often answers 200 with an HTML page; that must be a bad_payload, not a parse failure deep in
// the stream parser.
#include <string_view>

namespace servemeter::http {

// text/event-stream, JSON, NDJSON/JSON-lines (parameters such as charset ignored). A missing
// Content-Type is accepted: the parser will judge the bytes.
bool is_streamable_content_type(std::string_view content_type) noexcept;

}  // namespace servemeter::http
