#pragma once
// Parsing one event's JSON with simdjson On-Demand. simdjson needs SIMDJSON_PADDING readable bytes
// past the end of its input, which a view into the network buffer cannot promise, so the payload
// is copied into a padded buffer (a memcpy of a few hundred bytes) that, like the parser, is
// reused: one per thread, since an event is fully consumed before the next is parsed.
#include <simdjson.h>

#include <string_view>

namespace servemeter {

// Throws simdjson::simdjson_error when the payload is not JSON. The document and every view it
// yields stay valid until the next call on the same thread.
simdjson::ondemand::document& parse_event_json(std::string_view payload);

}  // namespace servemeter
