#include "workload/corpus.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace servemeter::testsupport {
namespace {

constexpr std::uint64_t kSeed = 20240517;

class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform enough in [0, n) for a test corpus (n is small).
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
  template <typename Container>
  const auto& pick(const Container& items) {
    return items[below(std::size(items))];
  }

 private:
  std::uint64_t state_;
};

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

// Byte offsets of the code points of `text`, plus its end.
std::vector<std::size_t> code_point_starts(std::string_view text) {
  std::vector<std::size_t> starts;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) starts.push_back(i);
  }
  starts.push_back(text.size());
  return starts;
}

struct Passage {
  std::string text;
  std::vector<std::size_t> starts;
};

std::vector<Passage> read_passages(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".txt") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());  // directory order is not stable
  if (files.empty()) throw std::runtime_error("no corpus passages (*.txt) in " + dir.string());
  std::vector<Passage> passages;
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    passages.push_back({text.str(), code_point_starts(text.str())});
  }
  return passages;
}

constexpr std::array<std::string_view, 16> kWhiteSpace = {
    " ",      " ", " ", " ", "\n", "\n", "\t", "\r\n",
    "\u00A0",  // no-break space
    "\u3000",  // ideographic space
    "\u2009",  // thin space
    "\u0085",  // next line: white space to Unicode, not to ECMAScript
    "\uFEFF",  // byte order mark: white space to ECMAScript, not to Unicode
    "\u200B",  // zero width space: white space to neither
    "\v",     "\f"};

constexpr std::array<std::string_view, 34> kSpecialStrings = {
    "<|endoftext|>", "<|startoftext|>", "<|endofprompt|>", "<|return|>", "<|constrain|>",
    "<|channel|>", "<|start|>", "<|end|>", "<|message|>", "<|call|>", "<|reserved_200013|>",
    "<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>",
    "<|eot_id|>", "<|eom_id|>", "<|python_tag|>", "<|finetune_right_pad_id|>",
    "<|reserved_special_token_3|>", "<|reserved_special_token_247|>",
    // near misses: text, not tokens
    "<|endoftext", "endoftext|>", "<|end", "<|", "|>", "<|reserved_200005|>", "<||>", "<|EOT_ID|>",
    "<|<|end|>|>", "< |end| >", "<|reserved_special_token_999|>", "<<|eot_id|>>",
    "<|begin_of_text|"};

constexpr std::array<std::string_view, 24> kContractions = {
    "'s", "'S",  "'t",  "'T",  "'re", "'RE", "'Re",     "'rE", "'ve", "'VE", "'Ve", "'m",
    "'M", "'ll", "'LL", "'lL", "'d",  "'D",  "\u2019s", "'x",  "''",  "'",   "'s'", "'ſ"};
constexpr std::array<std::string_view, 10> kWords = {"it",  "you", "THEY", "We", "I",
                                                     "don", "he",  "O",    "는", "l'été"};

constexpr std::array<std::string_view, 16> kEmoji = {"👨‍👩‍👧‍👦",
                                                     "👋🏽",
                                                     "🧑🏿‍💻",
                                                     "🏳️‍🌈",
                                                     "❤️",
                                                     "🇰🇷",
                                                     "1️⃣",
                                                     "🫱🏼‍🫲🏾",
                                                     "😀",
                                                     "🚀",
                                                     "👩‍❤️‍💋‍👨",
                                                     "🏴󠁧󠁢󠁥󠁮󠁧󠁿",
                                                     "✨",
                                                     "🤌🏻",
                                                     "🐈‍⬛",
                                                     "☕"};

// Code point ranges of scripts and symbols, all assigned long before Unicode 14, so the
// reference's Unicode tables and PCRE2's agree on them.
struct Range {
  char32_t first, last;
};
constexpr std::array<Range, 14> kRanges = {{
    {0x0900, 0x097F},    // Devanagari
    {0x0E01, 0x0E3A},    // Thai
    {0x0621, 0x064A},    // Arabic letters
    {0x064B, 0x065F},    // Arabic marks
    {0x05D0, 0x05EA},    // Hebrew
    {0x4E00, 0x9FA5},    // CJK ideographs
    {0x10D0, 0x10FA},    // Georgian
    {0xAC00, 0xD7A3},    // Hangul syllables
    {0x2200, 0x22FF},    // mathematical operators
    {0x00A0, 0x00FF},    // Latin-1
    {0x0300, 0x036F},    // combining marks
    {0x1F300, 0x1F64F},  // pictographs and emoticons
    {0x1D400, 0x1D4FF},  // mathematical alphanumerics
    {0x0400, 0x04FF},    // Cyrillic
}};

void append_passage_slice(std::string& out, SplitMix64& rng, const std::vector<Passage>& all) {
  const Passage& p = rng.pick(all);
  const std::size_t count = p.starts.size() - 1;
  const std::size_t first = rng.below(count);
  const std::size_t length = 1 + rng.below(std::min<std::size_t>(count - first, 300));
  out.append(p.text, p.starts[first], p.starts[first + length] - p.starts[first]);
}

void append_number(std::string& out, SplitMix64& rng) {
  constexpr std::array<std::string_view, 8> kPrefixes = {"", "", "", "-", "+", "$", "#", "0x"};
  constexpr std::array<std::string_view, 6> kSeparators = {"", "", ",", ".", " ", "_"};
  out += rng.pick(kPrefixes);
  const std::size_t groups = 1 + rng.below(4);
  for (std::size_t g = 0; g < groups; ++g) {
    if (g > 0) out += rng.pick(kSeparators);
    const std::size_t digits = 1 + rng.below(7);
    for (std::size_t d = 0; d < digits; ++d) out += static_cast<char>('0' + rng.below(10));
  }
}

void append_mixed_part(std::string& out, SplitMix64& rng, const std::vector<Passage>& all) {
  const std::size_t kind = rng.below(100);
  if (kind < 45) {
    append_passage_slice(out, rng, all);
  } else if (kind < 60) {
    const std::size_t run = 1 + rng.below(rng.below(4) == 0 ? 40 : 6);
    for (std::size_t i = 0; i < run; ++i) out += rng.pick(kWhiteSpace);
  } else if (kind < 68) {
    append_number(out, rng);
  } else if (kind < 74) {
    out += rng.pick(kSpecialStrings);
  } else if (kind < 82) {
    if (rng.below(2) == 0) out += rng.pick(kWords);
    out += rng.pick(kContractions);
  } else if (kind < 88) {
    const std::size_t run = 1 + rng.below(4);
    for (std::size_t i = 0; i < run; ++i) out += rng.pick(kEmoji);
  } else {
    const Range& range = rng.pick(kRanges);
    const std::size_t run = 1 + rng.below(20);
    for (std::size_t i = 0; i < run; ++i) {
      append_utf8(out,
                  range.first + static_cast<char32_t>(rng.below(range.last - range.first + 1)));
    }
  }
}

std::string repeated(std::string_view unit, std::size_t times) {
  std::string out;
  for (std::size_t i = 0; i < times; ++i) out += unit;
  return out;
}

std::vector<std::string> stress_pieces() {
  return {
      repeated("a", 5000),      repeated("A", 3000) + "a",
      repeated("aB", 1000),     repeated(" ", 3000) + "x",
      repeated("\n", 1000),     repeated(" \t\r\n", 500) + "end",
      repeated("1", 3001),      repeated("=", 5000),
      repeated("🚀", 500),       repeated("'s", 300),
      repeated("ภาษาไทย", 300), repeated("機械学習", 500),
      repeated("한국어", 700),  repeated("<|endoftext|>", 100) + repeated("<|eot_id|>", 100),
  };
}

}  // namespace

std::size_t code_points(std::string_view utf8) {
  return static_cast<std::size_t>(std::count_if(utf8.begin(), utf8.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::vector<std::string> mixed_corpus(const std::filesystem::path& passages_dir,
                                      std::size_t min_code_points) {
  const std::vector<Passage> passages = read_passages(passages_dir);
  std::vector<std::string> pieces;
  std::size_t total = 0;
  for (const Passage& p : passages) {
    pieces.push_back(p.text);
    total += p.starts.size() - 1;
  }
  SplitMix64 rng(kSeed);
  while (total < min_code_points) {
    std::string piece;
    const std::size_t parts = 1 + rng.below(8);
    for (std::size_t i = 0; i < parts; ++i) append_mixed_part(piece, rng, passages);
    total += code_points(piece);
    pieces.push_back(std::move(piece));
  }
  for (std::string& piece : stress_pieces()) pieces.push_back(std::move(piece));
  return pieces;
}

}  // namespace servemeter::testsupport
