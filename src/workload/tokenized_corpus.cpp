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
  if (tokens + 8 > ends_.size())
    throw DatasetError("corpus " + name_ + " holds " + std::to_string(ends_.size()) +
                       " tokens: too few for a prompt of " + std::to_string(tokens));
  // Start at a word; wrap to the front when the prompt would run past the end.
  std::size_t first = word_starts_[start % word_starts_.size()];
  if (first + tokens + 8 > ends_.size()) first = word_starts_[0];
  std::size_t take = tokens;
  std::string prompt;
  for (int attempt = 0; attempt < 12; ++attempt) {
    take = std::clamp<std::size_t>(take, 1, ends_.size() - first);
    std::size_t from = begin_of(first);
    while (from < text_.size() && is_space(text_[from])) ++from;  // no leading whitespace
    std::size_t to = ends_[first + take - 1];
    while (to > from && is_space(text_[to - 1])) --to;  // nor trailing
    prompt.assign(text_, from, to - from);
    const std::size_t got = tokenizer_.count(prompt);
    if (got == tokens) return prompt;
    // Edges merge differently now and then: take more or fewer corpus tokens and look again.
    take = got < tokens ? take + (tokens - got) : take - std::min(take - 1, got - tokens);
    if (attempt >= 6) first = word_starts_[(start + attempt) % word_starts_.size()];
  }
  throw DatasetError("could not cut a prompt of exactly " + std::to_string(tokens) +
                     " tokens from " + name_ + " (the last try had " +
                     std::to_string(tokenizer_.count(prompt)) + ")");
}

}  // namespace servemeter
