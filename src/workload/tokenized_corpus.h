#pragma once
// Natural text from which prompts of an exact token length are cut: the corpus is tokenized
// once, and a prompt is the text of N consecutive tokens starting at a word, checked (and
// nudged) by tokenizing the cut text itself, since a cut can merge differently at its edges.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "workload/text_tokenizer.h"

namespace servemeter {

// A corpus or prompt-set file that cannot be read or has the wrong shape; names the file.
class DatasetError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class TokenizedCorpus {
 public:
  // Throws DatasetError when the file cannot be read or holds too little text.
  static std::shared_ptr<const TokenizedCorpus> load(const std::filesystem::path& file,
                                                     const TextTokenizer& tokenizer);
  TokenizedCorpus(std::string text, const TextTokenizer& tokenizer, std::string name);

  std::size_t tokens() const noexcept { return ends_.size(); }
  std::size_t word_starts() const noexcept { return word_starts_.size(); }
  const std::string& name() const noexcept { return name_; }

  // The text of `tokens` tokens (as `tokenizer` counts the returned text itself), starting at
  // word start number `start` (taken modulo the number of word starts). Throws DatasetError when
  // `tokens` exceeds what the corpus holds.
  std::string cut(std::size_t tokens, std::size_t start) const;

 private:
  std::size_t begin_of(std::size_t token) const { return token == 0 ? 0 : ends_[token - 1]; }

  std::string text_;
  std::string name_;
  const TextTokenizer& tokenizer_;
  std::vector<std::uint32_t> ends_;         // byte end of each token
  std::vector<std::uint32_t> word_starts_;  // tokens that begin a word (after whitespace)
};

}  // namespace servemeter
