#include "protocol/json_event.h"

#include <cstring>
#include <memory>

namespace servemeter {
namespace {

struct Scratch {
  simdjson::ondemand::parser parser;
  simdjson::ondemand::document document;
  std::unique_ptr<char[]> buffer;
  size_t capacity = 0;  // bytes in buffer, padding included
  bool parser_ready = false;
};

}  // namespace

simdjson::ondemand::document& parse_event_json(std::string_view payload, size_t readable) {
  thread_local Scratch scratch;
  if (!scratch.parser_ready) {
    // Room for any usual event up front, so the parser does not regrow as events get longer.
    if (auto error = scratch.parser.allocate(64 * 1024)) throw simdjson::simdjson_error(error);
    scratch.parser_ready = true;
  }
  const size_t needed = payload.size() + simdjson::SIMDJSON_PADDING;
  if (readable >= needed) {
    scratch.document = scratch.parser.iterate(payload.data(), payload.size(), readable);
    return scratch.document;
  }
  if (needed > scratch.capacity) {
    // Grow geometrically so a stream of slowly growing events (SGLang's cumulative text)
    // reallocates only a few times.
    size_t capacity = scratch.capacity == 0 ? 4096 : scratch.capacity;
    while (capacity < needed) capacity *= 2;
    scratch.buffer = std::make_unique<char[]>(capacity);
    scratch.capacity = capacity;
  }
  std::memcpy(scratch.buffer.get(), payload.data(), payload.size());
  // simdjson only needs the padding readable; blanking it keeps a shorter event from ever seeing
  // the tail of a longer earlier one (64 bytes, cheaper than reasoning about it).
  std::memset(scratch.buffer.get() + payload.size(), ' ', simdjson::SIMDJSON_PADDING);
  scratch.document = scratch.parser.iterate(scratch.buffer.get(), payload.size(), scratch.capacity);
  return scratch.document;
}

}  // namespace servemeter
