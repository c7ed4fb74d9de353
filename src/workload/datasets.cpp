#include "workload/datasets.h"

#include <cmath>
#include <nlohmann/json.hpp>

namespace servemeter {
namespace {

std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

}  // namespace

std::size_t utf8_characters(std::string_view text) {
  std::size_t n = 0;
  for (const unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

std::size_t TokenCalibration::text_tokens(std::size_t server_tokens) const {
  const double tokens = (static_cast<double>(server_tokens) - overhead) / per_token;
  return tokens < 1 ? 0 : static_cast<std::size_t>(std::llround(tokens));
}

CorpusDataset::CorpusDataset(std::shared_ptr<const TokenizedCorpus> corpus,
                             std::size_t target_tokens, TokenCalibration calibration,
                             std::uint64_t seed, std::size_t requests_per_trial,
                             std::string tokenizer_description, std::string system_prompt)
    : corpus_(std::move(corpus)),
      target_(target_tokens),
      text_tokens_(calibration.text_tokens(target_tokens)),
      requests_(std::max<std::size_t>(1, requests_per_trial)),
      calibration_(std::move(calibration)),
      seed_(seed),
      tokenizer_(std::move(tokenizer_description)),
      system_(std::move(system_prompt)) {
  if (text_tokens_ == 0)
    throw DatasetError("an input of " + std::to_string(target_) +
                       " tokens leaves no room for the prompt: the server adds about " +
                       std::to_string(std::llround(calibration_.overhead)) +
                       " tokens of its own (its chat template) to every request");
  corpus_->cut(text_tokens_, 0);  // fails now, not mid-run, if the corpus is too small
}

std::string CorpusDataset::describe() const {
  return "natural text from " + std::filesystem::path(corpus_->name()).filename().string() + ", " +
         std::to_string(target_) + " tokens as the server counts them (" +
         std::to_string(text_tokens_) + " of text; " + calibration_.method + "), counted with " +
         tokenizer_;
}

void CorpusDataset::prompt(std::size_t index, int trial, Prompt& out) const {
  // Requests of a trial start evenly spread over the corpus, each trial shifted by its own
  // random offset: distinct starts, so no prompt shares a prefix with another.
  const std::size_t words = corpus_->word_starts();
  const std::size_t spread = std::max<std::size_t>(1, words / requests_);
  const std::size_t offset =
      static_cast<std::size_t>(mix(seed_ * 7919 + static_cast<unsigned>(trial)) % words);
  out.system = system_;
  out.user = corpus_->cut(text_tokens_, offset + index * spread);
  out.target_input_tokens = static_cast<std::int64_t>(target_);
  out.item = 0;
}

KoreanPairsDataset::KoreanPairsDataset(std::shared_ptr<const std::vector<KoreanPair>> pairs,
                                       std::string language)
    : pairs_(std::move(pairs)), language_(std::move(language)) {}

std::string KoreanPairsDataset::describe() const {
  return std::to_string(pairs_->size()) + " Korean/English pairs, " +
         (language_ == "ko" ? "Korean" : "English") + " side";
}

void KoreanPairsDataset::prompt(std::size_t index, int, Prompt& out) const {
  const std::size_t item = index % pairs_->size();
  const KoreanPair& pair = (*pairs_)[item];
  out.system.clear();
  out.user = language_ == "ko" ? pair.ko : pair.en;
  out.target_input_tokens = -1;
  out.item = static_cast<std::uint32_t>(item);
}

std::string KoreanPairsDataset::items_json() const {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& pair : *pairs_) {
    const std::string& text = language_ == "ko" ? pair.ko : pair.en;
    items.push_back({{"id", pair.id},
                     {"type", pair.type},
                     {"lang", language_},
                     {"chars", utf8_characters(text)}});
  }
  return items.dump();
}

PrefixCacheDataset::PrefixCacheDataset(std::shared_ptr<const PrefixCacheSet> set, bool unique)
    : set_(std::move(set)), unique_(unique) {}

std::string PrefixCacheDataset::describe() const {
  return unique_ ? "control: " + std::to_string(set_->control_system_prompts.size()) +
                       " distinct system prompts of the shared one's length, one per request"
                 : "one shared system prompt + " + std::to_string(set_->questions.size()) +
                       " different questions";
}

void PrefixCacheDataset::prompt(std::size_t index, int, Prompt& out) const {
  const std::size_t item = index % set_->questions.size();
  out.system = unique_ ? set_->control_system_prompts[index % set_->control_system_prompts.size()]
                       : set_->shared_system_prompt;
  out.user = set_->questions[item];
  out.target_input_tokens = -1;
  out.item = static_cast<std::uint32_t>(item);
}

std::string PrefixCacheDataset::items_json() const {
  nlohmann::json items = nlohmann::json::array();
  for (std::size_t i = 0; i < set_->questions.size(); ++i)
    items.push_back({{"id", "question-" + std::to_string(i + 1)},
                     {"chars", utf8_characters(set_->questions[i])}});
  return items.dump();
}

}  // namespace servemeter
