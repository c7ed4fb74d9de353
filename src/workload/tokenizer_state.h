#pragma once
// Internal to the tokenizer: what a loaded tokenizer.json becomes (tokenizer_loader.cpp) and
// what encoding reads (tokenizer.cpp).
#include <array>
#include <bitset>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "workload/approx_tokenizer.h"  // TokenId
#include "workload/bpe.h"
#include "workload/flat_string_map.h"
#include "workload/split_regex.h"

namespace servemeter::detail {

// The added tokens, matched in text before pre-tokenization: at each position the longest
// content that starts there, leftmost first (as the reference's DictionarySplitter does).
class AddedTokenMatcher {
 public:
  void add(std::string content, TokenId id);
  // The next added token at or after `from`: its position, length and id.
  struct Match {
    std::size_t position = 0, length = 0;
    TokenId id = 0;
  };
  std::optional<Match> find(std::string_view text, std::size_t from) const;

 private:
  FlatStringMap<TokenId> by_content_;
  std::vector<std::size_t> lengths_longest_first_;
  std::bitset<256> first_bytes_;
};

// Token ids of recently encoded words. Bounded: emptied when full rather than tracking
// recency, which costs nothing per hit; a word's ids are kept in one shared array.
class WordCache {
 public:
  static constexpr std::size_t kMaxWords = 1 << 16;
  static constexpr std::size_t kMaxWordBytes = 256;  // longer words are rarely repeated

  // Appends the cached ids of `word` to `out`; false when not cached.
  bool append(std::string_view word, std::vector<TokenId>& out) const;
  void insert(std::string_view word, const TokenId* ids, std::size_t count);

 private:
  FlatStringMap<std::pair<std::uint32_t, std::uint32_t>> spans_;  // word -> (offset, count) in ids_
  std::vector<TokenId> ids_;
};

struct TokenizerState {
  TokenizerState(std::string name, SplitRegex split, BpeMerges merges)
      : name(std::move(name)), split(std::move(split)), merges(std::move(merges)) {}

  std::string name;
  SplitRegex split;
  BpeMerges merges;
  bool ignore_merges = false;          // a word that is a whole token skips merging
  FlatStringMap<TokenId> id_of_bytes;  // vocabulary entries by the bytes they stand for
  std::vector<std::string> bytes_of_id;
  std::vector<bool> id_known;
  AddedTokenMatcher added;

  std::mutex cache_mutex;
  WordCache cache;
};

// Throws TokenizerError naming `name` and what is wrong or unsupported.
std::unique_ptr<TokenizerState> load_tokenizer_state(std::string_view json, std::string_view name);

}  // namespace servemeter::detail
