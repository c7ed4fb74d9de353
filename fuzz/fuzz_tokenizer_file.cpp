// The tokenizer.json loader on hostile input: it may reject the input only with TokenizerError
// (a message naming the file and what is wrong); any other exception that escapes, and any
// sanitizer report, is a finding. A tokenizer it accepts must encode and decode a short text.
#include <cstdint>
#include <string_view>

#include "fuzz_reads.h"
#include "workload/tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace servemeter;
  try {
    const Tokenizer tokenizer =
        Tokenizer::load_from_string({reinterpret_cast<const char*>(data), size}, "fuzz.json");
    const auto ids = tokenizer.encode("Hello 세계 123 🙂\n");
    fuzz::check(tokenizer.decode(ids) == "Hello 세계 123 🙂\n", "decode(encode(x)) != x");
  } catch (const TokenizerError&) {
    // Rejected with the documented error.
  }
  return 0;
}
