#pragma once
// The datasets the scenarios draw prompts from (see dataset.h for the interface).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "workload/dataset.h"
#include "workload/prompt_sets.h"
#include "workload/tokenized_corpus.h"

namespace servemeter {

// How the server counts what we send: server tokens ≈ overhead + per_token × our tokens. With
// the model's own tokenizer per_token is 1 and overhead is what the chat template adds; with the
// approximate one both are fitted from probes (orchestrate/input_calibration.h).
struct TokenCalibration {
  double per_token = 1.0;
  double overhead = 0.0;
  std::string method = "not calibrated: the prompt's own tokens only";
  // Our tokens for a text the server should count as `server_tokens` (at least 1).
  std::size_t text_tokens(std::size_t server_tokens) const;
};

// Prompts of an exact token length cut from natural text, each request from its own place in
// the corpus, so no two share a prefix. `target_tokens` is what the server should count, chat
// template included.
class CorpusDataset final : public Dataset {
 public:
  CorpusDataset(std::shared_ptr<const TokenizedCorpus> corpus, std::size_t target_tokens,
                TokenCalibration calibration, std::uint64_t seed, std::size_t requests_per_trial,
                std::string tokenizer_description, std::string system_prompt = {});
  std::string describe() const override;
  void prompt(std::size_t index, int trial, Prompt& out) const override;

 private:
  std::shared_ptr<const TokenizedCorpus> corpus_;
  std::size_t target_, text_tokens_, requests_;
  TokenCalibration calibration_;
  std::uint64_t seed_;
  std::string tokenizer_, system_;
};

// The `korean` scenario: request i sends pair i mod N in one language; Korean and English cells
// therefore pair up by item.
class KoreanPairsDataset final : public Dataset {
 public:
  KoreanPairsDataset(std::shared_ptr<const std::vector<KoreanPair>> pairs, std::string language);
  std::string describe() const override;
  void prompt(std::size_t index, int trial, Prompt& out) const override;
  std::string items_json() const override;

 private:
  std::shared_ptr<const std::vector<KoreanPair>> pairs_;
  std::string language_;  // "ko" or "en"
};

// `prefix_cache`: one shared system prompt, question i mod N as the user message. With
// `unique` (the control), request i has its own system prompt instead: nothing to reuse.
class PrefixCacheDataset final : public Dataset {
 public:
  PrefixCacheDataset(std::shared_ptr<const PrefixCacheSet> set, bool unique);
  std::string describe() const override;
  void prompt(std::size_t index, int trial, Prompt& out) const override;
  std::string items_json() const override;

 private:
  std::shared_ptr<const PrefixCacheSet> set_;
  bool unique_;
};

// Unicode code points in UTF-8 text (invalid bytes count one each).
std::size_t utf8_characters(std::string_view text);

}  // namespace servemeter
