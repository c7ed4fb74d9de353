#include "workload/approx_tokenizer.h"

#include <cstddef>

namespace servemeter {
namespace {

bool is_letter(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(unsigned char c) {
  return c >= '0' && c <= '9';
}

std::size_t utf8_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead >> 5) == 0x6) return 2;
  if ((lead >> 4) == 0xE) return 3;
  if ((lead >> 3) == 0x1E) return 4;
  return 1;  // stray continuation byte: one token, as byte-fallback vocabularies do
}

TokenId piece_id(std::string_view piece) {
  std::uint32_t h = 2166136261u;  // FNV-1a
  for (unsigned char c : piece) h = (h ^ c) * 16777619u;
  return h;
}

template <typename Emit>
void split(std::string_view text, Emit&& emit) {
  std::size_t i = 0;
  const std::size_t n = text.size();
  auto at = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  while (i < n) {
    const unsigned char c = at(i);
    std::size_t start = i;
    if (c == ' ' && i + 1 < n && is_letter(at(i + 1))) ++i;  // the space joins the word after it
    if (i < n && is_letter(at(i))) {
      std::size_t letters = 0;
      while (i < n && is_letter(at(i))) {
        ++i;
        if (++letters == 6 && i < n && is_letter(at(i))) {
          emit(text.substr(start, i - start));
          start = i;
          letters = 0;
        }
      }
      emit(text.substr(start, i - start));
    } else if (is_digit(c)) {
      std::size_t digits = 0;
      while (i < n && is_digit(at(i)) && digits < 3) ++i, ++digits;
      emit(text.substr(start, i - start));
    } else {
      const std::size_t len = utf8_length(c);
      i = i + len > n ? n : i + len;
      emit(text.substr(start, i - start));
    }
  }
}

}  // namespace

std::vector<TokenId> approx_tokenize(std::string_view text) {
  std::vector<TokenId> ids;
  ids.reserve(text.size() / 4 + 1);
  split(text, [&](std::string_view piece) { ids.push_back(piece_id(piece)); });
  return ids;
}

std::vector<std::uint32_t> approx_token_ends(std::string_view text) {
  std::vector<std::uint32_t> ends;
  ends.reserve(text.size() / 4 + 1);
  split(text, [&](std::string_view piece) {
    ends.push_back(static_cast<std::uint32_t>(piece.data() + piece.size() - text.data()));
  });
  return ends;
}

std::size_t approx_token_count(std::string_view text) {
  std::size_t count = 0;
  split(text, [&](std::string_view) { ++count; });
  return count;
}

}  // namespace servemeter
