#include "workload/prompt_synthesis.h"

#include <array>
#include <random>
#include <string_view>

namespace servemeter {
namespace {
constexpr std::array<std::string_view, 64> kWords{
    "the",   "model", "server", "token",  "cache", "batch",  "query",  "answer", "short", "long",
    "time",  "first", "second", "value",  "data",  "table",  "river",  "city",   "light", "stone",
    "water", "paper", "music",  "system", "road",  "house",  "green",  "small",  "large", "quick",
    "story", "field", "world",  "number", "group", "market", "state",  "point",  "place", "night",
    "today", "power", "change", "family", "money", "school", "reason", "level",  "order", "rule",
    "north", "south", "east",   "west",   "plant", "animal", "simple", "early",  "later", "final",
    "open",  "close", "write",  "read"};
}  // namespace

std::string synthesize_prompt(std::size_t tokens, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::size_t> pick(0, kWords.size() - 1);
  std::string text;
  text.reserve(tokens * 7);
  for (std::size_t i = 0; i < tokens; ++i) {
    if (i > 0) text += ' ';
    text += kWords[pick(rng)];
  }
  return text;
}

}  // namespace servemeter
