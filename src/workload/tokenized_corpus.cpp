#include "workload/tokenized_corpus.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace servemeter {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

// Tokenizing paragraph by paragraph keeps each call short; a paragraph break is whitespace, where
// byte-level BPE pre-tokenizers split anyway (a run of newlines stays within one paragraph's end).
std::vector<std::uint32_t> tokenize_in_paragraphs(const std::string& text,
                                                  const TextTokenizer& tokenizer) {
  std::vector<std::uint32_t> ends;
  std::size_t begin = 0;
  while (begin < text.size()) {
    std::size_t end = text.find("\n\n", begin);
    end = end == std::string::npos ? text.size() : end + 2;
    while (end < text.size() && text[end] == '\n') ++end;
    const std::string_view paragraph(text.data() + begin, end - begin);
    for (const std::uint32_t e : tokenizer.token_ends(paragraph))
      ends.push_back(static_cast<std::uint32_t>(begin) + e);
    begin = end;
  }
  return ends;
}

}  // namespace

std::shared_ptr<const TokenizedCorpus> TokenizedCorpus::load(const std::filesystem::path& file,
                                                             const TextTokenizer& tokenizer) {
  std::ifstream in(file, std::ios::binary);
  if (!in.is_open())
    throw DatasetError("cannot read corpus " + file.string() +
                       " (is SERVEMETER_DATA_DIR pointing at servemeter's data folder?)");
  std::ostringstream text;
  text << in.rdbuf();
  return std::make_shared<const TokenizedCorpus>(text.str(), tokenizer, file.string());
}

TokenizedCorpus::TokenizedCorpus(std::string text, const TextTokenizer& tokenizer, std::string name)
    : text_(std::move(text)), name_(std::move(name)), tokenizer_(tokenizer) {
  ends_ = tokenize_in_paragraphs(text_, tokenizer_);
  for (std::size_t t = 0; t < ends_.size(); ++t) {
    const std::size_t begin = begin_of(t);
    // A word starts where a token begins after whitespace (or is whitespace-led: " word").
    const bool after_space = begin == 0 || is_space(text_[begin - 1]);
    const bool led_by_space = begin < text_.size() && text_[begin] == ' ' &&
                              begin + 1 < text_.size() && !is_space(text_[begin + 1]);
    if ((after_space && !is_space(text_[begin])) || led_by_space)
      word_starts_.push_back(static_cast<std::uint32_t>(t));
  }
  if (word_starts_.empty() || ends_.size() < 16)
    throw DatasetError("corpus " + name_ + " holds too little text to cut prompts from");
}

std::string TokenizedCorpus::cut(std::size_t tokens, std::size_t start) const {
  if (tokens == 0) return {};
  if (tokens + 16 > ends_.size())
    throw DatasetError("corpus " + name_ + " holds " + std::to_string(ends_.size()) +
                       " tokens: too few for a prompt of " + std::to_string(tokens));
  std::string prompt;
  std::size_t last_count = 0;
  // The text of `take` corpus tokens from `first`, without whitespace at either end.
  auto text_of = [&](std::size_t first, std::size_t take) {
    std::size_t from = begin_of(first);
    while (from < text_.size() && is_space(text_[from])) ++from;
    std::size_t to = ends_[first + take - 1];
    while (to > from && is_space(text_[to - 1])) --to;
    prompt.assign(text_, from, to - from);
    last_count = tokenizer_.count(prompt);
    return last_count;
  };
  // Edges merge differently now and then (and trimmed whitespace drops a token): look near the
  // first guess, then from the next words.
  for (std::size_t attempt = 0; attempt < 8; ++attempt) {
    std::size_t first = word_starts_[(start + attempt) % word_starts_.size()];
    if (first + tokens + 16 > ends_.size()) first = word_starts_[attempt % word_starts_.size()];
    const std::size_t room = ends_.size() - first;
    const std::size_t got = text_of(first, tokens);
    if (got == tokens) return prompt;
    const auto guess = static_cast<long long>(tokens) + (static_cast<long long>(tokens) - got);
    for (long long delta : {0LL, 1LL, -1LL, 2LL, -2LL, 3LL, -3LL}) {
      const long long take = guess + delta;
      if (take < 1 || static_cast<std::size_t>(take) > room) continue;
      if (text_of(first, static_cast<std::size_t>(take)) == tokens) return prompt;
    }
  }
  throw DatasetError("could not cut a prompt of exactly " + std::to_string(tokens) +
                     " tokens from " + name_ + " (the last try had " + std::to_string(last_count) +
                     ")");
}

}  // namespace servemeter
