#pragma once
// Byte-level BPE merging over token ids: a word's bytes start as single-byte tokens, and the
// adjacent pair with the lowest merge rank (the leftmost among equals) is merged until no pair
// has a rank. Heap-driven, so a long word costs O(n log n), not O(n^2).
#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "workload/approx_tokenizer.h"  // TokenId

namespace servemeter {

class BpeMerges {
 public:
  // Scratch space one encode call reuses across its words, so merging allocates nothing once
  // the buffers have grown to the longest word.
  struct Scratch {
    struct Candidate {
      std::uint32_t rank, left_start;
      TokenId left, right, merged;
    };
    std::vector<TokenId> ids;
    std::vector<std::uint32_t> next, prev;
    std::vector<Candidate> heap;
  };

  explicit BpeMerges(const std::array<TokenId, 256>& byte_tokens) : byte_tokens_(byte_tokens) {}

  void reserve(std::size_t rules);
  // Adds (or, for a pair already present, replaces: the later rule wins) a merge rule.
  void add(TokenId left, TokenId right, std::uint32_t rank, TokenId merged);

  // Appends the tokens of `word` (non-empty) to `out`.
  void encode_word(std::string_view word, std::vector<TokenId>& out, Scratch& scratch) const;

 private:
  struct Rule {
    std::uint64_t pair;  // kEmpty marks a free slot
    std::uint32_t rank;
    TokenId merged;
  };
  static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};

  static std::uint64_t key(TokenId left, TokenId right) {
    return (std::uint64_t{left} << 32) | right;
  }
  const Rule* find(TokenId left, TokenId right) const;
  void grow();
  void rehash(std::size_t slots);

  std::array<TokenId, 256> byte_tokens_;
  // Open addressing, linear probing, at most half full: the merge lookup is the hot loop.
  std::vector<Rule> rules_;
  std::size_t rule_count_ = 0;
};

}  // namespace servemeter
