// The tokenizer on small tokenizer.json documents written here: how merges, ignore_merges and
// added tokens behave, and that every file it cannot use is a TokenizerError naming the file.
// Needs no fetched files.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/temp_dir.h"
#include "workload/tokenizer.h"

namespace servemeter {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using Ids = std::vector<TokenId>;

// GPT-2's byte-level alphabet, restated: printable Latin-1 bytes stand for themselves, the
// other bytes for U+0100 onwards in byte order.
std::string byte_level(std::string_view bytes) {
  std::string out;
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned>(static_cast<unsigned char>(c));
    char32_t code = byte;
    if (!((byte >= 0x21 && byte <= 0x7E) || (byte >= 0xA1 && byte <= 0xAC) || byte >= 0xAE)) {
      code = 0x100;
      for (unsigned b = 0; b < byte; ++b) {
        if (!((b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE)) ++code;
      }
    }
    if (code < 0x80) {
      out += static_cast<char>(code);
    } else {
      out += static_cast<char>(0xC0 | (code >> 6));
      out += static_cast<char>(0x80 | (code & 0x3F));
    }
  }
  return out;
}

constexpr TokenId kAb = 256, kBc = 257, kAbc = 258, kAa = 259, kXyz = 260, kSpaceT = 261;
constexpr TokenId kTag = 300, kTagY = 301;

// nlohmann reads {{"a", "b"}} as an object; merges are arrays of pairs.
nlohmann::json merges(std::initializer_list<std::pair<std::string, std::string>> pairs) {
  auto list = nlohmann::json::array();
  for (const auto& [left, right] : pairs) list.push_back(nlohmann::json::array({left, right}));
  return list;
}

// A byte-level BPE tokenizer with Llama 3's split regex, the 256 byte tokens and a few merges.
nlohmann::json tiny_tokenizer() {
  nlohmann::json vocab = nlohmann::json::object();
  for (unsigned b = 0; b < 256; ++b) vocab[byte_level(std::string(1, static_cast<char>(b)))] = b;
  vocab["ab"] = kAb;
  vocab["bc"] = kBc;
  vocab["abc"] = kAbc;
  vocab["aa"] = kAa;
  vocab["xyz"] = kXyz;
  vocab[byte_level(" t")] = kSpaceT;
  return {{"version", "1.0"},
          {"added_tokens",
           {{{"id", kTag}, {"content", "<|x|>"}, {"special", true}},
            {{"id", kTagY}, {"content", "<|x|>y"}, {"special", false}, {"lstrip", false}}}},
          {"normalizer", nullptr},
          {"pre_tokenizer",
           {{"type", "Sequence"},
            {"pretokenizers",
             {{{"type", "Split"},
               {"pattern",
                {{"Regex",
                  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| "
                  "?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"}}},
               {"behavior", "Isolated"},
               {"invert", false}},
              {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", false}}}}}},
          {"post_processor", nullptr},
          {"decoder", {{"type", "ByteLevel"}}},
          {"model",
           {{"type", "BPE"},
            {"dropout", nullptr},
            {"ignore_merges", false},
            {"vocab", vocab},
            {"merges",
             merges({{"a", "b"}, {"b", "c"}, {"ab", "c"}, {"a", "a"}, {byte_level(" "), "t"}})}}}};
}

Tokenizer load(const nlohmann::json& document) {
  return Tokenizer::load_from_string(document.dump(), "tiny.json");
}

TEST(TokenizerMerges, LowerRankMergesFirst) {
  EXPECT_EQ(load(tiny_tokenizer()).encode("abc"), (Ids{kAbc}));  // ab, then ab+c

  auto bc_first = tiny_tokenizer();
  bc_first["model"]["merges"] = merges({{"b", "c"}, {"a", "b"}, {"ab", "c"}});
  EXPECT_EQ(load(bc_first).encode("abc"), (Ids{'a', kBc}));  // no merge joins a and bc
}

TEST(TokenizerMerges, EqualRanksMergeLeftmostFirst) {
  EXPECT_EQ(load(tiny_tokenizer()).encode("aaa"), (Ids{kAa, 'a'}));
  EXPECT_EQ(load(tiny_tokenizer()).encode("aaaa"), (Ids{kAa, kAa}));
}

TEST(TokenizerMerges, OldStringFormatEqualsPairFormat) {
  auto old_format = tiny_tokenizer();
  old_format["model"]["merges"] =
      nlohmann::json::array({"a b", "b c", "ab c", "a a", byte_level(" ") + " t"});
  const auto pairs = load(tiny_tokenizer());
  const auto strings = load(old_format);
  for (const char* text : {"abc", "aaa", "a tab", "bcab"}) {
    EXPECT_EQ(strings.encode(text), pairs.encode(text)) << text;
  }
  EXPECT_EQ(strings.encode(" t"), (Ids{kSpaceT}));
}

TEST(TokenizerMerges, IgnoreMergesTakesAWholeWordFromTheVocabulary) {
  auto ignoring = tiny_tokenizer();
  ignoring["model"]["ignore_merges"] = true;
  EXPECT_EQ(load(ignoring).encode("xyz"), (Ids{kXyz}));
  EXPECT_EQ(load(tiny_tokenizer()).encode("xyz"), (Ids{'x', 'y', 'z'}));
}

TEST(TokenizerAddedTokens, LongestMatchFirstAndNeverSplitByTheRegex) {
  const auto tokenizer = load(tiny_tokenizer());
  EXPECT_EQ(tokenizer.encode("<|x|>y"), (Ids{kTagY}));
  EXPECT_EQ(tokenizer.encode("<|x|>z"), (Ids{kTag, 'z'}));
  EXPECT_EQ(tokenizer.encode("ab<|x|>ab"), (Ids{kAb, kTag, kAb}));
  EXPECT_EQ(tokenizer.encode("<|x|"), (Ids{'<', '|', 'x', '|'}));
  EXPECT_EQ(tokenizer.token_id("<|x|>"), kTag);
  EXPECT_EQ(tokenizer.token_id("ab"), kAb);
  EXPECT_EQ(tokenizer.token_id("abab"), std::nullopt);
  EXPECT_EQ(tokenizer.decode(Ids{kAb, kTag, kSpaceT}), "ab<|x|> t");
}

TEST(TokenizerSplit, TheLastOfSeveralSpacesStartsTheNextWord) {
  // "\s+(?!\S)" leaves the last space to the word after it: "a" "  " " t"
  EXPECT_EQ(load(tiny_tokenizer()).encode("a   t"), (Ids{'a', ' ', ' ', kSpaceT}));
}

// More distinct words than the word cache holds, so it empties itself on the way; the second
// pass reads what the refilled cache holds.
TEST(TokenizerCache, ManyDistinctWordsEncodeTheSameTwice) {
  const auto tokenizer = load(tiny_tokenizer());
  std::string text;
  for (unsigned i = 0; i < 70'000; ++i) {
    text += ' ';
    for (unsigned n = i; n > 0 || text.back() == ' '; n /= 3) text += "abc"[n % 3];
  }
  const auto first = tokenizer.encode(text);
  EXPECT_EQ(tokenizer.encode(text), first);
  EXPECT_EQ(tokenizer.decode(first), text);
  EXPECT_LT(first.size(), text.size());  // merges happened
}

TEST(TokenizerThreads, ConcurrentEncodesGiveTheSameIds) {
  const auto tokenizer = load(tiny_tokenizer());
  const std::string text = "abc aaa bcab <|x|>y tab abcabc aaaa";
  const auto expected = tokenizer.encode(text);
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) mismatches[t] += tokenizer.encode(text) != expected;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(mismatches, std::vector<int>(4, 0));
}

TEST(TokenizerLoad, AnEmptyOrNonJsonFileNamesTheFile) {
  for (const char* text : {"", "not json", "{\"model\":", "\xff\xfe"}) {
    try {
      Tokenizer::load_from_string(text, "bad.json");
      ADD_FAILURE() << "loaded " << text;
    } catch (const TokenizerError& e) {
      EXPECT_THAT(e.what(), StartsWith("bad.json: not a tokenizer file: not valid JSON"));
    }
  }
}

std::string load_error(const nlohmann::json& document) {
  try {
    load(document);
  } catch (const TokenizerError& e) {
    return e.what();
  }
  return "(loaded)";
}

TEST(TokenizerLoad, JsonOfAnotherShapeIsNamed) {
  EXPECT_EQ(load_error(nlohmann::json::array()),
            "tiny.json: not a tokenizer file: the top level is an array, not an object");
  EXPECT_EQ(load_error({{"name", "x"}}), "tiny.json: not a tokenizer file: no \"model\"");
  EXPECT_EQ(load_error({{"model", 3}}), "tiny.json: not a tokenizer file: \"model\" is 3");

  auto unigram = tiny_tokenizer();
  unigram["model"]["type"] = "Unigram";
  EXPECT_THAT(load_error(unigram), StartsWith("tiny.json: model type 'Unigram' is not supported"));

  auto no_merges = tiny_tokenizer();
  no_merges["model"].erase("merges");
  EXPECT_EQ(load_error(no_merges), "tiny.json: model: no \"merges\"");

  auto merges_object = tiny_tokenizer();
  merges_object["model"]["merges"] = nlohmann::json::object();
  EXPECT_EQ(load_error(merges_object), "tiny.json: model.merges is an object, not an array");

  auto bad_id = tiny_tokenizer();
  bad_id["model"]["vocab"]["ab"] = -1;
  EXPECT_EQ(load_error(bad_id), "tiny.json: vocabulary entry 'ab' has id -1, not a token id");
}

TEST(TokenizerLoad, InconsistentVocabularyOrMergesAreNamed) {
  auto missing_byte = tiny_tokenizer();
  missing_byte["model"]["vocab"].erase("a");
  missing_byte["model"]["merges"] = nlohmann::json::array();
  EXPECT_THAT(load_error(missing_byte), HasSubstr("lacks the token for byte 97"));

  auto unknown_part = tiny_tokenizer();
  unknown_part["model"]["merges"].push_back(nlohmann::json::array({"q", "zz"}));
  EXPECT_THAT(load_error(unknown_part),
              HasSubstr("merge 5 [\"q\",\"zz\"]: 'zz' is not in the vocabulary"));

  auto three_parts = tiny_tokenizer();
  three_parts["model"]["merges"] = nlohmann::json::array({"a b c"});
  EXPECT_THAT(load_error(three_parts), HasSubstr("merge 0 \"a b c\" is not two tokens"));

  // Found by fuzzing: "7" under newline's id decoded "\n" as "7".
  auto shared_id = tiny_tokenizer();
  shared_id["model"]["vocab"]["xyz"] = kAb;
  EXPECT_THAT(load_error(shared_id), HasSubstr("has id 256, which an earlier entry already has"));

  auto outside_alphabet = tiny_tokenizer();
  outside_alphabet["model"]["vocab"]["한"] = 400;
  EXPECT_THAT(load_error(outside_alphabet), HasSubstr("'한' is not in the byte-level alphabet"));
}

TEST(TokenizerLoad, FeaturesNeitherPresetUsesAreRefusedByName) {
  const auto refused = [](const char* what, auto change) {
    auto document = tiny_tokenizer();
    change(document);
    const std::string error = load_error(document);
    EXPECT_THAT(error, StartsWith("tiny.json: ")) << what;
    EXPECT_THAT(error, HasSubstr("is not supported")) << what;
    return error;
  };
  refused("normalizer", [](auto& d) { d["normalizer"] = {{"type", "NFC"}}; });
  refused("byte_fallback", [](auto& d) { d["model"]["byte_fallback"] = true; });
  refused("dropout", [](auto& d) { d["model"]["dropout"] = 0.1; });
  refused("suffix", [](auto& d) { d["model"]["end_of_word_suffix"] = "</w>"; });
  refused("lstrip", [](auto& d) { d["added_tokens"][0]["lstrip"] = true; });
  refused("single_word", [](auto& d) { d["added_tokens"][1]["single_word"] = true; });
  refused("no pre_tokenizer", [](auto& d) { d["pre_tokenizer"] = nullptr; });
  refused("plain ByteLevel", [](auto& d) { d["pre_tokenizer"] = {{"type", "ByteLevel"}}; });
  refused("prefix space",
          [](auto& d) { d["pre_tokenizer"]["pretokenizers"][1]["add_prefix_space"] = true; });
  refused("removed",
          [](auto& d) { d["pre_tokenizer"]["pretokenizers"][0]["behavior"] = "Removed"; });
  refused("string pattern", [](auto& d) {
    d["pre_tokenizer"]["pretokenizers"][0]["pattern"] = {{"String", " "}};
  });
  refused("decoder", [](auto& d) { d["decoder"] = {{"type", "WordPiece"}}; });
  EXPECT_THAT(refused("added token", [](auto& d) { d["added_tokens"][0]["content"] = "ab"; }),
              HasSubstr("added token 'ab' (id 300) that is also vocabulary entry 256"));
}

// What a fuzzer would try first: every prefix of a good file, and single-byte corruptions. Each
// either loads or is a TokenizerError; nothing else escapes.
TEST(TokenizerLoad, TruncatedOrCorruptedFilesAreTokenizerErrorsOnly) {
  const std::string good = tiny_tokenizer().dump();
  std::size_t errors = 0;
  const auto try_load = [&](std::string_view text) {
    try {
      Tokenizer::load_from_string(text, "fuzz.json").encode("abc <|x|>y \xff");
    } catch (const TokenizerError& e) {
      ++errors;
      EXPECT_THAT(e.what(), StartsWith("fuzz.json: "));
    }
  };
  for (std::size_t length = 0; length < good.size(); length += 3) {
    try_load(std::string_view(good).substr(0, length));
  }
  for (std::size_t at = 0; at < good.size(); at += 5) {
    for (const char replacement : {'0', '[', '"', '}', 'x'}) {
      std::string corrupt = good;
      corrupt[at] = replacement;
      try_load(corrupt);
    }
  }
  EXPECT_GT(errors, good.size() / 3);
}

TEST(TokenizerLoad, ABadRegexIsNamed) {
  auto bad = tiny_tokenizer();
  bad["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"] = "(unclosed";
  EXPECT_THAT(load_error(bad), StartsWith("tiny.json: pre_tokenizer Split regex: "));
}

TEST(TokenizerLoad, AFileNamesItsPath) {
  testsupport::TempDir dir;
  try {
    Tokenizer::load(dir / "absent.json");
    ADD_FAILURE() << "loaded a missing file";
  } catch (const TokenizerError& e) {
    EXPECT_THAT(e.what(), StartsWith((dir / "absent.json").string() + ": cannot open"));
  }
  std::ofstream(dir / "config.json") << R"({"architectures": ["LlamaForCausalLM"]})";
  try {
    Tokenizer::load(dir / "config.json");
    ADD_FAILURE() << "loaded a model config";
  } catch (const TokenizerError& e) {
    EXPECT_EQ(e.what(), (dir / "config.json").string() + ": not a tokenizer file: no \"model\"");
  }
  std::ofstream(dir / "tokenizer.json") << tiny_tokenizer().dump();
  EXPECT_EQ(Tokenizer::load(dir / "tokenizer.json").encode("abc"), (Ids{kAbc}));
}

}  // namespace
}  // namespace servemeter
