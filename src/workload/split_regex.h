#pragma once
// A pre-tokenizer's split regex (PCRE2, UTF + UCP, JIT where available), read the way the
// reference tokenizers (the JavaScript port of Hugging Face tokenizers) read it:
//   - \s and \S mean ECMAScript white space (which includes U+FEFF, unlike PCRE2's \s);
//   - the contraction group (?i:'s|'t|'re|'ve|'m|'ll|'d) matches ASCII letters of either case
//     only, as the port rewrites it.
// Input need not be valid UTF-8: bytes that are not never match and end up between matches.
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace servemeter {

class SplitRegex {
 public:
  // Throws std::invalid_argument naming the problem when the pattern does not compile or uses
  // syntax this reading does not support.
  explicit SplitRegex(std::string_view pattern);
  ~SplitRegex();
  SplitRegex(SplitRegex&&) noexcept;
  SplitRegex& operator=(SplitRegex&&) noexcept;

  // Splits `text` into the matches and the stretches between them, in order, none empty
  // ("Isolated" behaviour). Appends to `pieces`, which keeps its capacity between calls.
  // Throws std::runtime_error if PCRE2 gives up (out of memory for its backtracking).
  void split(std::string_view text, std::vector<std::string_view>& pieces) const;

  // The pattern as compiled, after the rewrites above.
  const std::string& compiled_pattern() const { return compiled_pattern_; }

 private:
  struct Compiled;
  std::string compiled_pattern_;
  std::unique_ptr<Compiled> compiled_;
};

}  // namespace servemeter
