#include "sim/prefix_cache.h"

#include <algorithm>

namespace servemeter::sim {
namespace {

std::size_t cap_to_last(std::size_t cached, std::size_t prompt_size) {
  return prompt_size == 0 ? 0 : std::min(cached, prompt_size - 1);
}

}  // namespace

// ---- RadixCache ------------------------------------------------------------------------------

void RadixCache::clear() {
  nodes_.clear();
  nodes_.emplace_back();  // root
}

std::size_t RadixCache::match(const Tokens& prompt, std::uint64_t) {
  std::uint32_t node = 0;
  std::size_t depth = 0;
  for (TokenId t : prompt) {
    auto it = nodes_[node].children.find(t);
    if (it == nodes_[node].children.end()) break;
    node = it->second;
    ++depth;
  }
  return cap_to_last(depth, prompt.size());
}

void RadixCache::commit(const Tokens& prompt, std::uint64_t) {
  if (nodes_.size() + prompt.size() > capacity_) clear();
  std::uint32_t node = 0;
  for (TokenId t : prompt) {
    auto it = nodes_[node].children.find(t);
    if (it != nodes_[node].children.end()) {
      node = it->second;
      continue;
    }
    const auto next = static_cast<std::uint32_t>(nodes_.size());
    nodes_[node].children.emplace(t, next);
    nodes_.emplace_back();  // may reallocate: no references into nodes_ are kept
    node = next;
  }
}

// ---- BlockHashCache --------------------------------------------------------------------------

std::vector<std::uint64_t> BlockHashCache::block_hashes(const Tokens& prompt) const {
  std::vector<std::uint64_t> out;
  std::uint64_t h = 1469598103934665603ull;
  for (std::size_t i = 0; i + block_size_ <= prompt.size(); i += block_size_) {
    for (std::size_t k = i; k < i + block_size_; ++k) h = (h ^ prompt[k]) * 1099511628211ull;
    out.push_back(h);  // chained: depends on every earlier token
  }
  return out;
}

std::size_t BlockHashCache::match(const Tokens& prompt, std::uint64_t) {
  std::size_t hit = 0;
  for (std::uint64_t h : block_hashes(prompt)) {
    auto it = blocks_.find(h);
    if (it == blocks_.end()) break;
    lru_.splice(lru_.begin(), lru_, it->second);
    ++hit;
  }
  // vLLM recomputes the last block when the whole prompt hits, to get logits.
  std::size_t cached = hit * block_size_;
  if (cached == prompt.size() && cached > 0) cached -= block_size_;
  return cached;
}

void BlockHashCache::commit(const Tokens& prompt, std::uint64_t) {
  for (std::uint64_t h : block_hashes(prompt)) {
    auto it = blocks_.find(h);
    if (it != blocks_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second);
      continue;
    }
    lru_.push_front(h);
    blocks_.emplace(h, lru_.begin());
    if (blocks_.size() > capacity_) {
      blocks_.erase(lru_.back());
      lru_.pop_back();
    }
  }
}

void BlockHashCache::clear() {
  lru_.clear();
  blocks_.clear();
}

// ---- SlotCache -------------------------------------------------------------------------------

std::size_t SlotCache::match(const Tokens& prompt, std::uint64_t seq) {
  // Already holding a slot (resumed after preemption): reuse it.
  int chosen = slot_of(seq);
  std::size_t best = 0;
  if (chosen < 0) {
    std::uint64_t oldest = UINT64_MAX;
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      const Slot& s = slots_[i];
      if (s.busy) continue;
      const auto lcp = static_cast<std::size_t>(
          std::mismatch(prompt.begin(), prompt.end(), s.last_prompt.begin(), s.last_prompt.end())
              .first -
          prompt.begin());
      // Most similar slot first (llama.cpp's slot_prompt_similarity), then least recently used.
      if (chosen < 0 || lcp > best || (lcp == best && s.last_used < oldest)) {
        chosen = static_cast<int>(i);
        best = lcp;
        oldest = s.last_used;
      }
    }
    if (chosen < 0) return 0;  // no free slot: the scheduler's cap prevents this
    Slot& s = slots_[static_cast<std::size_t>(chosen)];
    s.busy = true;
    s.owner = seq;
    return cap_to_last(best, prompt.size());
  }
  const Slot& s = slots_[static_cast<std::size_t>(chosen)];
  best = static_cast<std::size_t>(
      std::mismatch(prompt.begin(), prompt.end(), s.last_prompt.begin(), s.last_prompt.end())
          .first -
      prompt.begin());
  return cap_to_last(best, prompt.size());
}

void SlotCache::commit(const Tokens& prompt, std::uint64_t seq) {
  const int i = slot_of(seq);
  if (i < 0) return;
  slots_[static_cast<std::size_t>(i)].last_prompt = prompt;
  slots_[static_cast<std::size_t>(i)].last_used = ++tick_;
}

void SlotCache::release(std::uint64_t seq) {
  const int i = slot_of(seq);
  if (i >= 0) slots_[static_cast<std::size_t>(i)].busy = false;
}

void SlotCache::clear() {
  for (Slot& s : slots_) s.last_prompt.clear();
}

int SlotCache::slot_of(std::uint64_t seq) const {
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    if (slots_[i].busy && slots_[i].owner == seq) return static_cast<int>(i);
  }
  return -1;
}

std::unique_ptr<PrefixCache> make_prefix_cache(const ProfileParams& profile, bool enabled) {
  if (!enabled) return std::make_unique<NoCache>();
  switch (profile.cache) {
    case CacheKind::radix:
      return std::make_unique<RadixCache>(static_cast<std::size_t>(profile.cache_capacity_tokens));
    case CacheKind::blocks:
      return std::make_unique<BlockHashCache>(
          static_cast<std::size_t>(profile.block_size),
          static_cast<std::size_t>(profile.cache_capacity_tokens / profile.block_size));
    case CacheKind::slot:
      return std::make_unique<SlotCache>(profile.max_running);
    case CacheKind::none:
      break;
  }
  return std::make_unique<NoCache>();
}

}  // namespace servemeter::sim
