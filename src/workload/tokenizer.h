#pragma once
// A Hugging Face tokenizer (tokenizer.json) of the byte-level BPE kind that the model presets
// use (gpt-oss's o200k_harmony, Llama 3): added tokens split out first, then the pre-tokenizer's
// split regex, the byte-level alphabet, and ranked merges. Ids equal those of the reference
// JavaScript port of HF tokenizers (tests/workload/reference_ids.mjs) on the test corpus.
//
// Supported, as these files use them: no normalizer; a pre-tokenizer Sequence of one Split
// (Regex, Isolated, not inverted) and a ByteLevel without prefix space or regex; a BPE model
// (merges as "a b" or ["a", "b"], ignore_merges on or off) whose words are never unknown; added
// tokens without lstrip/rstrip/single_word; a ByteLevel decoder. Anything else is a
// TokenizerError naming what is unsupported.
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "workload/approx_tokenizer.h"  // TokenId

namespace servemeter {

namespace detail {
struct TokenizerState;
}

// A tokenizer file that cannot be read or used; the message starts with the file's name.
class TokenizerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Tokenizer {
 public:
  static Tokenizer load(const std::filesystem::path& tokenizer_json);
  // The same from the file's text; `name_for_messages` stands for the file in errors.
  static Tokenizer load_from_string(std::string_view json, std::string_view name_for_messages);

  Tokenizer(Tokenizer&&) noexcept;
  Tokenizer& operator=(Tokenizer&&) noexcept;
  ~Tokenizer();

  // The ids of `text` (any bytes; UTF-8 expected). Added tokens written in the text (such as
  // "<|endoftext|>") are their ids; no begin/end tokens are added. Thread-safe: concurrent
  // callers on one instance skip the shared word cache rather than wait for it. Throws
  // std::runtime_error only if the regex engine runs out of memory.
  std::vector<TokenId> encode(std::string_view text) const;
  std::size_t count(std::string_view text) const { return encode(text).size(); }

  // The bytes `ids` stand for; throws TokenizerError for an id outside the vocabulary.
  std::string decode(std::span<const TokenId> ids) const;
  // How many bytes one id stands for (0 outside the vocabulary): token boundaries in a text.
  std::size_t byte_length(TokenId id) const noexcept;

  // The id of one token given as its text: an added token's content ("<|return|>") or the
  // bytes a vocabulary entry stands for (" the").
  std::optional<TokenId> token_id(std::string_view token) const;

  // The file this tokenizer came from, as given to load().
  const std::string& name() const;

 private:
  explicit Tokenizer(std::unique_ptr<detail::TokenizerState> state);
  std::unique_ptr<detail::TokenizerState> state_;
};

}  // namespace servemeter
