#pragma once
// Writing JSON text by hand for the raw log's request lines: one line per finished request, on
// the load generator's thread, so it must cost a few µs, not the tens a JSON DOM costs. Only
// what those lines need: strings (made valid UTF-8 and bounded on the way), integers, doubles,
// null and booleans.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace servemeter::json_text {

// `"key":` (key is trusted ASCII).
void key(std::string& out, std::string_view name);
// A JSON string: invalid UTF-8 becomes U+FFFD, control characters are escaped, and text past
// `max_bytes` is cut at a character boundary and ends in "…".
void string(std::string& out, std::string_view text, std::size_t max_bytes = 4096);
void integer(std::string& out, std::int64_t value);
void number(std::string& out, double value);  // shortest round-trip form; NaN/inf → null
void boolean(std::string& out, bool value);
void null(std::string& out);
void integer_or_null(std::string& out, std::int64_t value, bool present);
void number_or_null(std::string& out, const std::optional<double>& value);

}  // namespace servemeter::json_text
