#pragma once
// A string-keyed hash map for the tokenizer's hot lookups (vocabulary by bytes, word cache):
// keys live in one arena, slots are small and flat (open addressing, linear probing, at most
// half full), so a lookup is a hash and usually one slot and one key comparison, and an insert
// allocates only when the arena or the table grows. No erase; clear() keeps the capacity.
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace servemeter::detail {

template <typename Value>
class FlatStringMap {
 public:
  std::size_t size() const { return size_; }

  void reserve(std::size_t keys) {
    std::size_t slots = 16;
    while (slots < keys * 2) slots *= 2;
    if (slots > slots_.size()) rehash(slots);
  }

  void clear() {
    slots_.assign(slots_.size(), Slot{});
    arena_.clear();
    size_ = 0;
  }

  const Value* find(std::string_view key) const {
    if (slots_.empty()) return nullptr;
    const std::uint32_t tag = tag_of(key);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = tag & mask;; i = (i + 1) & mask) {
      const Slot& slot = slots_[i];
      if (slot.tag == kEmpty) return nullptr;
      if (slot.tag == tag && key_of(slot) == key) return &slot.value;
    }
  }

  // Inserts `key`, or gives it `value` when present.
  void insert_or_assign(std::string_view key, const Value& value) {
    if ((size_ + 1) * 2 > slots_.size()) rehash(slots_.empty() ? 16 : slots_.size() * 2);
    const std::uint32_t tag = tag_of(key);
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = tag & mask;
    for (; slots_[i].tag != kEmpty; i = (i + 1) & mask) {
      if (slots_[i].tag == tag && key_of(slots_[i]) == key) {
        slots_[i].value = value;
        return;
      }
    }
    slots_[i] = Slot{tag, static_cast<std::uint32_t>(arena_.size()),
                     static_cast<std::uint32_t>(key.size()), value};
    arena_.append(key);
    ++size_;
  }

 private:
  static constexpr std::uint32_t kEmpty = 0;
  struct Slot {
    std::uint32_t tag = kEmpty;  // the key's hash, never kEmpty
    std::uint32_t key_offset = 0, key_length = 0;
    Value value{};
  };

  static std::uint32_t tag_of(std::string_view key) {
    const auto hash = static_cast<std::uint64_t>(std::hash<std::string_view>{}(key));
    const auto tag = static_cast<std::uint32_t>(hash ^ (hash >> 32));
    return tag == kEmpty ? 1 : tag;
  }
  std::string_view key_of(const Slot& slot) const {
    return std::string_view(arena_).substr(slot.key_offset, slot.key_length);
  }

  void rehash(std::size_t slot_count) {
    std::vector<Slot> old(slot_count);
    old.swap(slots_);
    const std::size_t mask = slots_.size() - 1;
    for (const Slot& slot : old) {
      if (slot.tag == kEmpty) continue;
      std::size_t i = slot.tag & mask;
      while (slots_[i].tag != kEmpty) i = (i + 1) & mask;
      slots_[i] = slot;
    }
  }

  std::vector<Slot> slots_;
  std::string arena_;
  std::size_t size_ = 0;
};

}  // namespace servemeter::detail
