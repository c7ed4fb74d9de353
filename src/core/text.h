#pragma once
// Text that enters a result from outside (server bodies, headers, transport messages) must be
// valid UTF-8 and bounded: the results files are JSON, and one hostile answer must not bloat
// them.
#include <cstddef>
#include <string>
#include <string_view>

namespace servemeter {

// `bytes` as valid UTF-8 of at most `max_bytes` bytes. Each maximal ill-formed subsequence
// (Unicode's "substitution of maximal subparts") becomes U+FFFD. Text longer than `max_bytes`
// is cut at a code-point boundary and ends in "…" (U+2026, counted in the bound). Reads only as
// much of `bytes` as the result needs.
std::string valid_utf8(std::string_view bytes, std::size_t max_bytes);
// Whether `bytes` is valid UTF-8 throughout.
bool is_valid_utf8(std::string_view bytes) noexcept;

}  // namespace servemeter
