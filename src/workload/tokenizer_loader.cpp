// Reads tokenizer.json into a TokenizerState, checking each part this tokenizer relies on and
// naming anything it does not support, so a wrong file never loads into wrong token ids.
#include <nlohmann/json.hpp>
#include <string>

#include "workload/byte_level.h"
#include "workload/tokenizer.h"
#include "workload/tokenizer_state.h"

namespace servemeter::detail {
namespace {

using nlohmann::json;

// Vocabularies have at most a few hundred thousand ids; the cap keeps a corrupt id from sizing
// the id tables to gigabytes.
constexpr std::uint64_t kMaxTokenId = (1 << 22) - 1;

// model.vocab's entries and model.merges' elements, taken out of the document while it is
// parsed: held as a DOM they would cost most of the load time (hundreds of thousands of map
// nodes), so the document keeps them empty and these lists hold them in file order.
struct BigLists {
  std::vector<std::pair<std::string, json>> vocab;
  std::vector<json> merges;
};

// Parses `text`, moving model.vocab's entries and model.merges' elements into `lists`.
json parse_taking_big_lists(std::string_view text, BigLists& lists) {
  // What each open container is, by depth: callbacks give the depth, not the path.
  struct Open {
    bool is_object = false;
    std::string key;  // its key in the parent object
  };
  std::vector<Open> open;
  std::string key;        // the last key read
  std::string vocab_key;  // the last key read in model.vocab
  const auto inside = [&](int depth, const char* list, bool object) {
    // depth 0: the root object, 1: "model", 2: the list; its elements are at depth 3.
    return depth == 3 && open.size() == 3 && open[0].is_object && open[1].is_object &&
           open[1].key == "model" && open[2].is_object == object && open[2].key == list;
  };
  using Event = json::parse_event_t;
  return json::parse(text, [&](int depth, Event event, json& parsed) {
    switch (event) {
      case Event::object_start:
      case Event::array_start:
        open.resize(static_cast<std::size_t>(depth));
        open.push_back({event == Event::object_start,
                        depth > 0 && open.back().is_object ? key : std::string()});
        return true;
      case Event::key:
        key = parsed.get<std::string>();
        if (!inside(depth, "vocab", true)) return true;
        vocab_key = key;
        return false;  // a vocabulary key stays out of the map
      case Event::object_end:
      case Event::array_end:
      case Event::value:
        if (event != Event::value) open.resize(static_cast<std::size_t>(depth));
        if (inside(depth, "vocab", true)) {
          lists.vocab.emplace_back(vocab_key, std::move(parsed));
          return false;
        }
        if (inside(depth, "merges", false)) {
          lists.merges.push_back(std::move(parsed));
          return false;
        }
        return true;
    }
    return true;
  });
}

class Loader {
 public:
  explicit Loader(std::string_view name) : name_(name) {}

  std::unique_ptr<TokenizerState> load(std::string_view text) const {
    BigLists lists;
    const json root = parse(text, lists);
    if (!root.is_object()) {
      fail("not a tokenizer file: the top level is " + describe(root) + ", not an object");
    }
    const json& model = member(root, "model", "not a tokenizer file: ");
    if (!model.is_object()) fail("not a tokenizer file: \"model\" is " + describe(model));
    check_model(model);
    check_normalizer(root);
    check_decoder(root);

    auto state = std::make_unique<TokenizerState>(std::string(name_), split_regex(root),
                                                  BpeMerges(std::array<TokenId, 256>{}));
    read_vocab(member(model, "vocab", "model: "), lists.vocab, *state);
    read_added_tokens(root, *state);
    state->merges = BpeMerges(byte_tokens(*state));
    read_merges(member(model, "merges", "model: "), lists.merges, *state);
    if (const auto it = model.find("ignore_merges"); it != model.end() && !it->is_null()) {
      if (!it->is_boolean()) fail("model.ignore_merges is " + describe(*it) + ", not a boolean");
      state->ignore_merges = it->get<bool>();
    }
    return state;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw TokenizerError(name_ + ": " + what);
  }
  [[noreturn]] void unsupported(const std::string& what) const {
    fail(what +
         " is not supported (this tokenizer reads byte-level BPE files such as those of "
         "gpt-oss and Llama 3)");
  }

  static std::string describe(const json& value) {
    if (value.is_string()) return "'" + value.get<std::string>().substr(0, 100) + "'";
    if (value.is_primitive()) return value.dump().substr(0, 100);
    return std::string(value.is_array() ? "an array" : "an object");
  }

  json parse(std::string_view text, BigLists& lists) const {
    try {
      return parse_taking_big_lists(text, lists);
    } catch (const json::exception& e) {  // syntax, and numbers too large for any type
      std::string detail = e.what();
      if (const auto end = detail.find("] "); end != std::string::npos) detail.erase(0, end + 2);
      fail("not a tokenizer file: not valid JSON (" + detail + ")");
    }
  }

  const json& member(const json& object, const char* key, const std::string& context) const {
    const auto it = object.find(key);
    if (it == object.end()) fail(context + "no \"" + key + "\"");
    return *it;
  }

  static bool is_null_or_missing(const json& object, const char* key) {
    const auto it = object.find(key);
    return it == object.end() || it->is_null();
  }

  static std::string type_of(const json& object) {
    const auto it = object.find("type");
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
  }

  bool flag(const json& object, const char* key, bool fallback, const std::string& context) const {
    const auto it = object.find(key);
    if (it == object.end() || it->is_null()) return fallback;
    if (!it->is_boolean()) fail(context + "." + key + " is " + describe(*it) + ", not a boolean");
    return it->get<bool>();
  }

  void check_model(const json& model) const {
    const std::string type = type_of(model);
    if (type.empty()) fail("model has no \"type\"");
    if (type != "BPE") unsupported("model type '" + type + "'");
    if (!is_null_or_missing(model, "dropout")) unsupported("BPE dropout");
    for (const char* affix : {"continuing_subword_prefix", "end_of_word_suffix"}) {
      const auto it = model.find(affix);
      if (it != model.end() && !it->is_null() && !(it->is_string() && it->empty())) {
        unsupported(std::string("model.") + affix);
      }
    }
    if (flag(model, "byte_fallback", false, "model")) unsupported("model.byte_fallback");
  }

  void check_normalizer(const json& root) const {
    if (!is_null_or_missing(root, "normalizer")) {
      unsupported("a normalizer (" + describe(root["normalizer"]) + ")");
    }
  }

  void check_decoder(const json& root) const {
    if (is_null_or_missing(root, "decoder")) return;
    const std::string type = type_of(root["decoder"]);
    if (type != "ByteLevel") unsupported("decoder type '" + type + "'");
  }

  // pre_tokenizer: Sequence[Split(Regex, Isolated, invert false), ByteLevel(no prefix space,
  // no regex)].
  SplitRegex split_regex(const json& root) const {
    const auto it = root.find("pre_tokenizer");
    if (it == root.end() || it->is_null()) unsupported("a missing pre_tokenizer");
    const json& pre = *it;
    const auto steps = pre.find("pretokenizers");
    if (type_of(pre) != "Sequence" || steps == pre.end() || !steps->is_array() ||
        steps->size() != 2 || type_of((*steps)[0]) != "Split" ||
        type_of((*steps)[1]) != "ByteLevel") {
      unsupported("pre_tokenizer " + pre.dump().substr(0, 200) +
                  " (expected a Sequence of a Split and a ByteLevel)");
    }
    const json& split = (*steps)[0];
    const json& byte_level = (*steps)[1];
    if (flag(byte_level, "add_prefix_space", true, "pre_tokenizer ByteLevel")) {
      unsupported("pre_tokenizer ByteLevel with add_prefix_space");
    }
    if (flag(byte_level, "use_regex", true, "pre_tokenizer ByteLevel")) {
      unsupported("pre_tokenizer ByteLevel with use_regex");
    }
    if (flag(split, "invert", false, "pre_tokenizer Split")) unsupported("an inverted Split");
    const auto behavior = split.find("behavior");
    if (behavior == split.end() || *behavior != "Isolated") {
      unsupported("Split behavior " +
                  (behavior == split.end() ? std::string("(none)") : describe(*behavior)));
    }
    const auto pattern = split.find("pattern");
    const json* regex = nullptr;
    if (pattern != split.end() && pattern->is_object()) {
      const auto it = pattern->find("Regex");
      if (it != pattern->end() && it->is_string()) regex = &*it;
    }
    if (regex == nullptr) unsupported("a Split pattern other than {\"Regex\": \"...\"}");
    try {
      return SplitRegex(regex->get<std::string>());
    } catch (const std::invalid_argument& e) {
      fail("pre_tokenizer Split regex: " + std::string(e.what()));
    }
  }

  TokenId token_id(const json& value, const std::string& what) const {
    if (!value.is_number_unsigned() || value.get<std::uint64_t>() > kMaxTokenId) {
      fail(what + " has id " + describe(value) + ", not a token id");
    }
    return static_cast<TokenId>(value.get<std::uint64_t>());
  }

  static void set_bytes(TokenizerState& state, TokenId id, std::string bytes) {
    if (id >= state.bytes_of_id.size()) {
      state.bytes_of_id.resize(id + 1);
      state.id_known.resize(id + 1);
    }
    state.bytes_of_id[id] = std::move(bytes);
    state.id_known[id] = true;
  }

  void read_vocab(const json& vocab, const std::vector<std::pair<std::string, json>>& entries,
                  TokenizerState& state) const {
    if (!vocab.is_object()) fail("model.vocab is " + describe(vocab) + ", not an object");
    state.id_of_bytes.reserve(entries.size());
    for (const auto& [token, id_value] : entries) {
      const TokenId id = token_id(id_value, "vocabulary entry '" + token + "'");
      auto bytes = byte_level::to_bytes(token);
      if (!bytes) fail("vocabulary entry '" + token + "' is not in the byte-level alphabet");
      // Two tokens under one id would make decoding ambiguous and token counts meaningless.
      if (id < state.id_known.size() && state.id_known[id]) {
        fail("vocabulary entry '" + token + "' has id " + std::to_string(id) +
             ", which an earlier entry already has; every token needs its own id");
      }
      state.id_of_bytes.insert_or_assign(*bytes, id);
      set_bytes(state, id, std::move(*bytes));
    }
  }

  std::array<TokenId, 256> byte_tokens(const TokenizerState& state) const {
    std::array<TokenId, 256> ids{};
    for (unsigned byte = 0; byte < 256; ++byte) {
      const char as_char = static_cast<char>(byte);
      const TokenId* id = state.id_of_bytes.find(std::string_view(&as_char, 1));
      if (id == nullptr) {
        fail("the vocabulary lacks the token for byte " + std::to_string(byte) +
             " (a byte-level vocabulary has all 256)");
      }
      ids[byte] = *id;
    }
    return ids;
  }

  void read_added_tokens(const json& root, TokenizerState& state) const {
    const auto list = root.find("added_tokens");
    if (list == root.end() || list->is_null()) return;
    if (!list->is_array()) fail("added_tokens is " + describe(*list) + ", not an array");
    for (const json& token : *list) {
      const auto content = token.find("content");
      if (!token.is_object() || content == token.end() || !content->is_string() ||
          content->get_ref<const std::string&>().empty()) {
        fail("an added token has no content: " + token.dump().substr(0, 200));
      }
      const std::string& text = content->get_ref<const std::string&>();
      const std::string what = "added token '" + text + "'";
      const TokenId id = token_id(member(token, "id", what + ": "), what);
      for (const char* option : {"lstrip", "rstrip", "single_word"}) {
        if (flag(token, option, false, what)) unsupported(what + " with " + option);
      }
      // The reference looks whole words up among added tokens too (ignore_merges), in the
      // byte-level alphabet; a vocabulary entry of other id would be shadowed, which no
      // supported file does.
      if (auto bytes = byte_level::to_bytes(text)) {
        const TokenId* clash = state.id_of_bytes.find(*bytes);
        if (clash != nullptr && *clash != id) {
          unsupported(what + " (id " + std::to_string(id) + ") that is also vocabulary entry " +
                      std::to_string(*clash));
        }
        state.id_of_bytes.insert_or_assign(*bytes, id);
      }
      set_bytes(state, id, text);
      state.added.add(text, id);
    }
  }

  TokenId vocab_id(const TokenizerState& state, std::string_view part, std::size_t rank,
                   const json& merge) const {
    const auto bytes = byte_level::to_bytes(part);
    const TokenId* id = bytes ? state.id_of_bytes.find(*bytes) : nullptr;
    if (id == nullptr) {
      fail("merge " + std::to_string(rank) + " " + merge.dump() + ": '" + std::string(part) +
           "' is not in the vocabulary");
    }
    return *id;
  }

  void read_merges(const json& merges, const std::vector<json>& elements,
                   TokenizerState& state) const {
    if (!merges.is_array()) fail("model.merges is " + describe(merges) + ", not an array");
    state.merges.reserve(elements.size());
    std::uint32_t rank = 0;
    for (const json& merge : elements) {
      std::string_view left, right;
      if (merge.is_string()) {  // "left right", the format before tokenizers 0.20
        const std::string_view pair = merge.get_ref<const std::string&>();
        const auto space = pair.find(' ');
        if (space == std::string_view::npos ||
            pair.find(' ', space + 1) != std::string_view::npos) {
          fail("merge " + std::to_string(rank) + " " + merge.dump() + " is not two tokens");
        }
        left = pair.substr(0, space);
        right = pair.substr(space + 1);
      } else if (merge.is_array() && merge.size() == 2 && merge[0].is_string() &&
                 merge[1].is_string()) {
        left = merge[0].get_ref<const std::string&>();
        right = merge[1].get_ref<const std::string&>();
      } else {
        fail("merge " + std::to_string(rank) + " " + merge.dump().substr(0, 100) +
             " is neither \"a b\" nor [\"a\", \"b\"]");
      }
      const TokenId left_id = vocab_id(state, left, rank, merge);
      const TokenId right_id = vocab_id(state, right, rank, merge);
      const TokenId merged_id =
          vocab_id(state, std::string(left) + std::string(right), rank, merge);
      state.merges.add(left_id, right_id, rank, merged_id);
      ++rank;
    }
  }

  std::string name_;
};

}  // namespace

std::unique_ptr<TokenizerState> load_tokenizer_state(std::string_view json, std::string_view name) {
  return Loader(name).load(json);
}

}  // namespace servemeter::detail
