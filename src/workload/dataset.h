#pragma once
// Where a cell's prompts come from. A dataset makes the prompt of any request on demand (a cell
// of ten million requests holds none of them), deterministically from its seed, and describes
// its items so results can be grouped by them (a Korean/English pair, a prefix-cache question).
#include <cstdint>
#include <string>

namespace servemeter {

struct Prompt {
  std::string system;  // empty: no system message
  std::string user;
  std::int64_t target_input_tokens = -1;  // what the prompt was built to cost; -1: not aimed
  std::uint32_t item = 0;                 // which item of the dataset
};

class Dataset {
 public:
  virtual ~Dataset() = default;
  // Short description for the results ("synthetic English, 512 tokens").
  virtual std::string describe() const = 0;
  // The prompt of request `index` (warm-up included) of trial `trial`, into `out` (its buffers
  // reused). Deterministic; must not throw for any index.
  virtual void prompt(std::size_t index, int trial, Prompt& out) const = 0;
  // The items, as a JSON array text (e.g. [{"id":"essay","lang":"ko"}]); "[]" when the requests
  // are not grouped.
  virtual std::string items_json() const { return "[]"; }
};

}  // namespace servemeter
