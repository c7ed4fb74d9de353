#pragma once
// The tokenizer prompts are measured with: the model's own (a Hugging Face tokenizer.json, ids
// equal to the server's) when one is available, else the approximate one (approx_tokenizer.h),
// which says so wherever its counts are used.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace servemeter {

class TextTokenizer {
 public:
  virtual ~TextTokenizer() = default;
  // The byte offset at which each token of `text` ends (their number is the token count).
  virtual std::vector<std::uint32_t> token_ends(std::string_view text) const = 0;
  std::size_t count(std::string_view text) const { return token_ends(text).size(); }
  // True for the model's own tokenizer; false for the approximation.
  virtual bool exact() const = 0;
  // For the results: "tokenizer.json of llama3.1-8b (/path)" or "approximate tokenizer".
  virtual std::string describe() const = 0;
  // The tokenizer.json it was loaded from; empty for the approximation.
  virtual std::filesystem::path file() const = 0;
};

std::unique_ptr<TextTokenizer> make_approx_tokenizer();
// Throws TokenizerError (workload/tokenizer.h) for a file that is not a usable tokenizer.
std::unique_ptr<TextTokenizer> load_text_tokenizer(const std::filesystem::path& tokenizer_json,
                                                   std::string description);

// The best tokenizer for a model: `explicit_path` (--tokenizer) when given; else the model
// preset's packaged one (scripts/fetch-tokenizers.sh); else the model's tokenizer.json in the
// Hugging Face cache (models--org--name/snapshots/*/tokenizer.json under $HF_HOME or
// ~/.cache/huggingface/hub); else the approximation.
std::unique_ptr<TextTokenizer> find_text_tokenizer(const std::string& explicit_path,
                                                   const std::string& model_preset,
                                                   const std::string& model_id);

}  // namespace servemeter
