#include "workload/bpe.h"

#include <algorithm>

namespace servemeter {
namespace {

std::size_t slot_of(std::uint64_t pair, std::size_t mask) {
  // Fibonacci hashing spreads the (left, right) id pairs, which cluster in small ranges.
  return static_cast<std::size_t>((pair * 0x9E3779B97F4A7C15ull) >> 20) & mask;
}

// std heap functions build a max-heap; "greater" puts the lowest rank, then the leftmost, on top.
bool runs_later(const BpeMerges::Scratch::Candidate& a, const BpeMerges::Scratch::Candidate& b) {
  return a.rank != b.rank ? a.rank > b.rank : a.left_start > b.left_start;
}

}  // namespace

void BpeMerges::reserve(std::size_t rules) {
  std::size_t slots = 1024;
  while (slots < rules * 2) slots *= 2;
  if (slots > rules_.size()) rehash(slots);
}

void BpeMerges::grow() {
  rehash(std::max<std::size_t>(1024, rules_.size() * 2));
}

void BpeMerges::rehash(std::size_t slots) {
  std::vector<Rule> old = std::move(rules_);
  rules_.assign(slots, Rule{kEmpty, 0, 0});
  const std::size_t mask = rules_.size() - 1;
  for (const Rule& rule : old) {
    if (rule.pair == kEmpty) continue;
    std::size_t slot = slot_of(rule.pair, mask);
    while (rules_[slot].pair != kEmpty) slot = (slot + 1) & mask;
    rules_[slot] = rule;
  }
}

void BpeMerges::add(TokenId left, TokenId right, std::uint32_t rank, TokenId merged) {
  if ((rule_count_ + 1) * 2 > rules_.size()) grow();
  const std::uint64_t pair = key(left, right);
  const std::size_t mask = rules_.size() - 1;
  std::size_t slot = slot_of(pair, mask);
  while (rules_[slot].pair != kEmpty && rules_[slot].pair != pair) slot = (slot + 1) & mask;
  if (rules_[slot].pair == kEmpty) ++rule_count_;
  rules_[slot] = Rule{pair, rank, merged};
}

const BpeMerges::Rule* BpeMerges::find(TokenId left, TokenId right) const {
  if (rules_.empty()) return nullptr;
  const std::uint64_t pair = key(left, right);
  const std::size_t mask = rules_.size() - 1;
  for (std::size_t slot = slot_of(pair, mask);; slot = (slot + 1) & mask) {
    const Rule& rule = rules_[slot];
    if (rule.pair == pair) return &rule;
    if (rule.pair == kEmpty) return nullptr;
  }
}

void BpeMerges::encode_word(std::string_view word, std::vector<TokenId>& out,
                            Scratch& scratch) const {
  const auto n = static_cast<std::uint32_t>(word.size());
  if (n == 1) {
    out.push_back(byte_tokens_[static_cast<unsigned char>(word[0])]);
    return;
  }
  // Parts are indexed by the position of their first byte; next/prev link the live parts, and
  // a part merged into its left neighbour is dead (unreachable through next).
  auto& ids = scratch.ids;
  auto& next = scratch.next;
  auto& prev = scratch.prev;
  auto& heap = scratch.heap;
  ids.resize(n);
  next.resize(n);
  prev.resize(n);
  heap.clear();
  for (std::uint32_t i = 0; i < n; ++i) {
    ids[i] = byte_tokens_[static_cast<unsigned char>(word[i])];
    next[i] = i + 1;
    prev[i] = i - 1;  // wraps for i == 0: no left neighbour
  }
  const auto consider = [&](std::uint32_t left) {
    const std::uint32_t right = next[left];
    if (const Rule* rule = find(ids[left], ids[right])) {
      heap.push_back({rule->rank, left, ids[left], ids[right], rule->merged});
      std::push_heap(heap.begin(), heap.end(), runs_later);
    }
  };
  for (std::uint32_t i = 0; i + 1 < n; ++i) consider(i);

  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), runs_later);
    const auto candidate = heap.back();
    heap.pop_back();
    // Stale when either side has merged since: a merge always makes a longer token, so an
    // unchanged id means an unchanged part, and an unchanged left part has the same right one.
    const std::uint32_t left = candidate.left_start;
    if (ids[left] != candidate.left) continue;
    const std::uint32_t right = next[left];
    if (right >= n || ids[right] != candidate.right) continue;

    ids[left] = candidate.merged;
    ids[right] = ~TokenId{0};
    next[left] = next[right];
    if (next[left] < n) prev[next[left]] = left;
    if (left > 0) consider(prev[left]);
    if (next[left] < n) consider(left);
  }
  for (std::uint32_t i = 0; i < n; i = next[i]) out.push_back(ids[i]);
}

}  // namespace servemeter
