#pragma once
// Prefix-cache models, one per serving framework. Each answers "how many leading prompt tokens
// of this sequence need no prefill" and learns prompts once they were prefilled.
//   RadixCache      SGLang: a radix tree over token ids; any shared prefix hits, token-exact.
//   BlockHashCache  vLLM: hashes of whole blocks (16 tokens), chained; only full blocks hit.
//   SlotCache       Ollama / llama.cpp: each slot keeps its last prompt; a new sequence takes the
//                   free slot with the longest common prefix and reuses that prefix.
#include <cstdint>
#include <list>
#include <memory>
#include <unordered_map>
#include <vector>

#include "sim/profile.h"
#include "workload/approx_tokenizer.h"

namespace servemeter::sim {

using Tokens = std::vector<TokenId>;

class PrefixCache {
 public:
  virtual ~PrefixCache() = default;
  // Cached leading tokens for sequence `seq` (at most prompt.size() - 1: the last prompt token is
  // always computed, as every framework does to get the first logits).
  virtual std::size_t match(const Tokens& prompt, std::uint64_t seq) = 0;
  // `prompt` was prefilled for `seq`: remember it.
  virtual void commit(const Tokens& prompt, std::uint64_t seq) = 0;
  // `seq` left the running set (finished, cancelled or preempted).
  virtual void release(std::uint64_t seq) { (void)seq; }
  virtual void clear() = 0;
};

class NoCache final : public PrefixCache {
 public:
  std::size_t match(const Tokens&, std::uint64_t) override { return 0; }
  void commit(const Tokens&, std::uint64_t) override {}
  void clear() override {}
};

// Token-granular trie. When it holds more than `capacity` nodes it is emptied (a simplification
// of SGLang's LRU leaf eviction; the benchmark's shared prefixes are far below the capacity).
class RadixCache final : public PrefixCache {
 public:
  explicit RadixCache(std::size_t capacity) : capacity_(capacity) { clear(); }
  std::size_t match(const Tokens& prompt, std::uint64_t seq) override;
  void commit(const Tokens& prompt, std::uint64_t seq) override;
  void clear() override;
  std::size_t nodes() const { return nodes_.size(); }

 private:
  struct Node {
    std::unordered_map<TokenId, std::uint32_t> children;
  };
  std::size_t capacity_;
  std::vector<Node> nodes_;
};

// vLLM's automatic prefix caching: block i's hash covers tokens [0, 16(i+1)); a hit needs every
// earlier block to hit too. LRU over blocks, `capacity` blocks.
class BlockHashCache final : public PrefixCache {
 public:
  BlockHashCache(std::size_t block_size, std::size_t capacity_blocks)
      : block_size_(block_size), capacity_(capacity_blocks) {}
  std::size_t match(const Tokens& prompt, std::uint64_t seq) override;
  void commit(const Tokens& prompt, std::uint64_t seq) override;
  void clear() override;

 private:
  std::vector<std::uint64_t> block_hashes(const Tokens& prompt) const;
  std::size_t block_size_;
  std::size_t capacity_;
  std::list<std::uint64_t> lru_;  // front: most recent
  std::unordered_map<std::uint64_t, std::list<std::uint64_t>::iterator> blocks_;
};

class SlotCache final : public PrefixCache {
 public:
  explicit SlotCache(int slots) : slots_(static_cast<std::size_t>(slots)) {}
  std::size_t match(const Tokens& prompt, std::uint64_t seq) override;
  void commit(const Tokens& prompt, std::uint64_t seq) override;
  void release(std::uint64_t seq) override;
  void clear() override;
  // The slot `seq` holds, or -1.
  int slot_of(std::uint64_t seq) const;

 private:
  struct Slot {
    Tokens last_prompt;
    std::uint64_t owner = 0;
    bool busy = false;
    std::uint64_t last_used = 0;
  };
  std::vector<Slot> slots_;
  std::uint64_t tick_ = 0;
};

std::unique_ptr<PrefixCache> make_prefix_cache(const ProfileParams& profile, bool enabled);

}  // namespace servemeter::sim
