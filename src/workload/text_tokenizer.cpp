#include "workload/text_tokenizer.h"

#include <cstdlib>

#include "workload/approx_tokenizer.h"
#include "workload/packaged_tokenizer.h"
#include "workload/tokenizer.h"

namespace servemeter {
namespace {

class ApproxTextTokenizer final : public TextTokenizer {
 public:
  std::vector<std::uint32_t> token_ends(std::string_view text) const override {
    return approx_token_ends(text);
  }
  bool exact() const override { return false; }
  std::filesystem::path file() const override { return {}; }
  std::string describe() const override {
    return "approximate tokenizer (no tokenizer.json for this model: pass --tokenizer, or run "
           "scripts/fetch-tokenizers.sh for the presets)";
  }
};

class HfTextTokenizer final : public TextTokenizer {
 public:
  HfTextTokenizer(Tokenizer tokenizer, std::string description)
      : tokenizer_(std::move(tokenizer)), description_(std::move(description)) {}
  std::vector<std::uint32_t> token_ends(std::string_view text) const override {
    // Byte-level BPE: the tokens' bytes, in order, are the text's bytes.
    const std::vector<TokenId> ids = tokenizer_.encode(text);
    std::vector<std::uint32_t> ends;
    ends.reserve(ids.size());
    std::uint32_t end = 0;
    for (const TokenId id : ids) {
      end += static_cast<std::uint32_t>(tokenizer_.byte_length(id));
      ends.push_back(end);
    }
    return ends;
  }
  bool exact() const override { return true; }
  std::string describe() const override { return description_; }
  std::filesystem::path file() const override { return tokenizer_.name(); }

 private:
  Tokenizer tokenizer_;
  std::string description_;
};

std::optional<std::filesystem::path> hugging_face_cache_file(const std::string& model_id) {
  if (model_id.find('/') == std::string::npos) return std::nullopt;
  std::filesystem::path hub;
  if (const char* home = std::getenv("HF_HOME"); home && *home) {
    hub = std::filesystem::path(home) / "hub";
  } else if (const char* user = std::getenv("HOME"); user && *user) {
    hub = std::filesystem::path(user) / ".cache" / "huggingface" / "hub";
  } else {
    return std::nullopt;
  }
  std::string folder = "models--" + model_id;
  for (auto pos = folder.find('/'); pos != std::string::npos; pos = folder.find('/'))
    folder.replace(pos, 1, "--");
  std::error_code ec;
  const auto snapshots = hub / folder / "snapshots";
  for (const auto& snapshot : std::filesystem::directory_iterator(snapshots, ec)) {
    const auto file = snapshot.path() / "tokenizer.json";
    if (std::filesystem::is_regular_file(file, ec)) return file;
  }
  return std::nullopt;
}

}  // namespace

std::unique_ptr<TextTokenizer> make_approx_tokenizer() {
  return std::make_unique<ApproxTextTokenizer>();
}

std::unique_ptr<TextTokenizer> load_text_tokenizer(const std::filesystem::path& tokenizer_json,
                                                   std::string description) {
  return std::make_unique<HfTextTokenizer>(Tokenizer::load(tokenizer_json), std::move(description));
}

std::unique_ptr<TextTokenizer> find_text_tokenizer(const std::string& explicit_path,
                                                   const std::string& model_preset,
                                                   const std::string& model_id) {
  if (!explicit_path.empty())
    return load_text_tokenizer(explicit_path,
                               "tokenizer.json given with --tokenizer (" + explicit_path + ")");
  if (const auto packaged = packaged_tokenizer(model_preset))
    return load_text_tokenizer(*packaged, "tokenizer.json of the " + model_preset + " preset (" +
                                              packaged->string() + ")");
  if (const auto cached = hugging_face_cache_file(model_id))
    return load_text_tokenizer(
        *cached,
        "tokenizer.json of " + model_id + " in the Hugging Face cache (" + cached->string() + ")");
  return make_approx_tokenizer();
}

}  // namespace servemeter
