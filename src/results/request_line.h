#pragma once
// One request line of the raw log: written on the load generator's thread as each request
// finishes (a few µs, see json_text.h), read back by `analyze` at hundreds of thousands of lines
// a second (simdjson).
#include <simdjson.h>

#include <string>
#include <string_view>

#include "core/request_record.h"

namespace servemeter {

// Where a request line belongs: the scenario, cell label and trial it was measured in.
struct RequestTags {
  std::string_view scenario;
  std::string_view cell;
  int trial = 0;
};

// Appends the line (with its newline) for `record` to `out`. Strings are made valid UTF-8 and
// bounded; times stay in CLOCK_MONOTONIC ns.
void append_request_line(std::string& out, const RequestRecord& record, std::string_view scenario);

// Reads a request line of schema 2 (`"type":"request"`) or 1 (`"schema":"servemeter.request/1"`)
// into `record` (reset first, reusing its buffers) and `tags` (views into `line`, valid while it
// is). Returns an empty string on success, else what is wrong with the line.
std::string read_request_line(simdjson::dom::element line, RequestRecord& record,
                              RequestTags& tags);

// The same for a line exactly as append_request_line writes it (its fields in that order,
// strings of printable ASCII without escapes, no server timing or retry-after), read without a
// JSON parser: true when it was read, false when the line is anything else (then `record` and
// `tags` hold nothing useful and read_request_line must read it). The result is the same as
// read_request_line's.
bool read_written_request_line(std::string_view line, RequestRecord& record, RequestTags& tags);

// Names of RecordFlag bits, as the log spells them.
std::string_view flag_name(RecordFlag flag) noexcept;
std::optional<RecordFlag> parse_flag(std::string_view name) noexcept;

}  // namespace servemeter
