#pragma once
// GPT-2's byte-level alphabet, which byte-level BPE vocabularies are written in: every byte
// stands for one printable code point (printable Latin-1 bytes for themselves, the others for
// U+0100..U+0143), so a vocabulary entry such as "Ġthe" is the bytes " the".
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace servemeter::byte_level {

// The bytes a byte-level string (UTF-8) stands for; nullopt when it holds a code point outside
// the alphabet or is not UTF-8.
std::optional<std::string> to_bytes(std::string_view byte_level_text);

}  // namespace servemeter::byte_level
