#pragma once
// The arrival times of a request's token events, compactly: the gaps in ns (the first from the
// send time) as unsigned LEB128 varints, base64url without padding. About 1.4 characters per byte
// of varint, 3–6 characters per token, and decoded at memory speed: the raw log of a 256-token
// request is a quarter of its size as a JSON array, and `analyze` reads it several times faster.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace servemeter {

// Appends the encoding of the gaps between `send_ns` and each of `event_ns` (ascending) to `out`.
// A stamp earlier than the one before it (never seen) is encoded as a gap of 0.
void append_token_gaps(std::string& out, std::int64_t send_ns,
                       std::span<const std::int64_t> event_ns);

// Decodes into `event_ns` (cleared first) the absolute stamps; false if `text` is not a valid
// encoding (a character outside base64url, a truncated varint, a gap over 2^62, stamps that
// add up past the largest int64).
bool decode_token_gaps(std::string_view text, std::int64_t send_ns,
                       std::vector<std::int64_t>& event_ns);

// The same, always by the portable code that CPUs without AVX-512 VBMI run (decode_token_gaps
// picks the vector code where the CPU has it); tests hold the two to the same answers.
bool decode_token_gaps_portable(std::string_view text, std::int64_t send_ns,
                                std::vector<std::int64_t>& event_ns);

}  // namespace servemeter
