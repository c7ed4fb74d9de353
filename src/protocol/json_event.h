#pragma once
// Parsing one event's JSON with simdjson On-Demand. simdjson needs SIMDJSON_PADDING readable bytes
// past the end of its input (their content does not matter). An event in the middle of a network
// read has them: the events after it. Only an event near the read's end, or one assembled from
// several reads, is copied into a padded buffer that, like the parser, is reused: one per
// thread, since an event is fully consumed before the next is parsed.
#include <simdjson.h>

#include <string_view>

namespace servemeter {

// Throws simdjson::simdjson_error when the payload is not JSON. The document and every view it
// yields stay valid until the next call on the same thread.
// `readable` is how many bytes from payload.data() may be read (payload.size() when unknown).
simdjson::ondemand::document& parse_event_json(std::string_view payload, size_t readable);

}  // namespace servemeter
