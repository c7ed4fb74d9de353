#pragma once
// A documented stand-in for a model tokenizer until a real one (GGUF/BPE) lands. It splits text
// into pieces the way byte-level BPE vocabularies mostly do for common text:
//   - a run of ASCII letters, with the single space before it, is one token per 6 letters
//     (so " the", " cat", " server" are one token each, as in Llama 3's vocabulary);
//   - a run of digits is one token per 3 digits;
//   - each other ASCII character (punctuation, newline, a lone space) is one token;
//   - each Hangul syllable is one token, and any other non-ASCII code point is one token.
// Korean therefore costs roughly twice the tokens of English of the same meaning, as with the
// real vocabularies. Ids are stable hashes of the pieces, so equal text gives equal ids and a
// shared prefix gives a shared id prefix (what prefix caches key on).
#include <cstdint>
#include <string_view>
#include <vector>

namespace servemeter {

using TokenId = std::uint32_t;

std::vector<TokenId> approx_tokenize(std::string_view text);
std::size_t approx_token_count(std::string_view text);
// The byte offset at which each token ends.
std::vector<std::uint32_t> approx_token_ends(std::string_view text);

}  // namespace servemeter
