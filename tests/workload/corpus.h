#pragma once
// The mixed-text corpus that the tokenizer is checked (and benchmarked) on: each committed
// passage of tests/workload/corpus/ whole, then pieces mixed from them by a seeded generator
// (random slices of passages joined with whitespace runs, numbers, special-token strings,
// contractions, emoji and runs of rare-script code points), then long stress pieces (one
// letter, digit, space or emoji repeated thousands of times). Deterministic: the generator is
// a fixed-seed splitmix64 with no library distributions.
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace servemeter::testsupport {

std::vector<std::string> mixed_corpus(const std::filesystem::path& passages_dir,
                                      std::size_t min_code_points = 200'000);

std::size_t code_points(std::string_view utf8);

}  // namespace servemeter::testsupport
