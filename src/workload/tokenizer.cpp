#include "workload/tokenizer.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>

#include "workload/tokenizer_state.h"

namespace servemeter {
namespace detail {

void AddedTokenMatcher::add(std::string content, TokenId id) {
  first_bytes_.set(static_cast<unsigned char>(content.front()));
  const std::size_t length = content.size();
  by_content_.insert_or_assign(std::move(content), id);
  if (std::find(lengths_longest_first_.begin(), lengths_longest_first_.end(), length) ==
      lengths_longest_first_.end()) {
    lengths_longest_first_.push_back(length);
    std::sort(lengths_longest_first_.rbegin(), lengths_longest_first_.rend());
  }
}

std::optional<AddedTokenMatcher::Match> AddedTokenMatcher::find(std::string_view text,
                                                                std::size_t from) const {
  if (by_content_.size() == 0) return std::nullopt;
  for (std::size_t position = from; position < text.size(); ++position) {
    if (!first_bytes_.test(static_cast<unsigned char>(text[position]))) continue;
    for (const std::size_t length : lengths_longest_first_) {
      if (length > text.size() - position) continue;
      if (const TokenId* id = by_content_.find(text.substr(position, length))) {
        return Match{position, length, *id};
      }
    }
  }
  return std::nullopt;
}

bool WordCache::append(std::string_view word, std::vector<TokenId>& out) const {
  const auto* span = spans_.find(word);
  if (span == nullptr) return false;
  const auto [offset, count] = *span;
  out.insert(out.end(), ids_.begin() + offset, ids_.begin() + offset + count);
  return true;
}

void WordCache::insert(std::string_view word, const TokenId* ids, std::size_t count) {
  if (word.size() > kMaxWordBytes) return;
  if (spans_.size() >= kMaxWords) {
    spans_.clear();
    ids_.clear();
  }
  const auto offset = static_cast<std::uint32_t>(ids_.size());
  ids_.insert(ids_.end(), ids, ids + count);
  spans_.insert_or_assign(word, std::pair{offset, static_cast<std::uint32_t>(count)});
}

namespace {

// What one encode call reuses across its sections and words.
struct EncodeScratch {
  std::vector<std::string_view> pieces;
  BpeMerges::Scratch bpe;
};

void encode_word(const TokenizerState& state, WordCache* cache, std::string_view word,
                 std::vector<TokenId>& out, EncodeScratch& scratch) {
  if (cache != nullptr && cache->append(word, out)) return;
  const std::size_t first = out.size();
  const TokenId* whole = state.ignore_merges ? state.id_of_bytes.find(word) : nullptr;
  if (whole != nullptr) {
    out.push_back(*whole);
  } else {
    state.merges.encode_word(word, out, scratch.bpe);
  }
  if (cache != nullptr) cache->insert(word, out.data() + first, out.size() - first);
}

void encode_section(const TokenizerState& state, WordCache* cache, std::string_view section,
                    std::vector<TokenId>& out, EncodeScratch& scratch) {
  scratch.pieces.clear();
  state.split.split(section, scratch.pieces);
  for (const std::string_view word : scratch.pieces) encode_word(state, cache, word, out, scratch);
}

}  // namespace
}  // namespace detail

Tokenizer::Tokenizer(std::unique_ptr<detail::TokenizerState> state) : state_(std::move(state)) {}
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;
Tokenizer::~Tokenizer() = default;

Tokenizer Tokenizer::load_from_string(std::string_view json, std::string_view name_for_messages) {
  return Tokenizer(detail::load_tokenizer_state(json, name_for_messages));
}

Tokenizer Tokenizer::load(const std::filesystem::path& tokenizer_json) {
  const std::string name = tokenizer_json.string();
  std::ifstream file(tokenizer_json, std::ios::binary);
  if (!file) {
    throw TokenizerError(name + ": cannot open the tokenizer file (" + std::strerror(errno) +
                         "); run scripts/fetch-tokenizers.sh or give another tokenizer.json");
  }
  std::ostringstream text;
  text << file.rdbuf();
  if (file.bad()) throw TokenizerError(name + ": cannot read the tokenizer file");
  return load_from_string(text.view(), name);
}

std::vector<TokenId> Tokenizer::encode(std::string_view text) const {
  const detail::TokenizerState& state = *state_;
  std::vector<TokenId> out;
  out.reserve(text.size() / 3 + 8);
  detail::EncodeScratch scratch;
  // The cache is shared; a caller that finds it busy encodes without it instead of waiting.
  std::unique_lock lock(state_->cache_mutex, std::try_to_lock);
  detail::WordCache* cache = lock.owns_lock() ? &state_->cache : nullptr;

  std::size_t done = 0;
  while (done < text.size()) {
    const auto added = state.added.find(text, done);
    const std::size_t section_end = added ? added->position : text.size();
    if (section_end > done) {
      detail::encode_section(state, cache, text.substr(done, section_end - done), out, scratch);
    }
    if (!added) break;
    out.push_back(added->id);
    done = added->position + added->length;
  }
  return out;
}

std::string Tokenizer::decode(std::span<const TokenId> ids) const {
  std::string text;
  for (const TokenId id : ids) {
    if (id >= state_->id_known.size() || !state_->id_known[id]) {
      throw TokenizerError(state_->name + ": token id " + std::to_string(id) +
                           " is not in the vocabulary");
    }
    text += state_->bytes_of_id[id];
  }
  return text;
}

std::size_t Tokenizer::byte_length(TokenId id) const noexcept {
  if (id >= state_->id_known.size() || !state_->id_known[id]) return 0;
  return state_->bytes_of_id[id].size();
}

std::optional<TokenId> Tokenizer::token_id(std::string_view token) const {
  if (const auto added = state_->added.find(token, 0);
      added && added->position == 0 && added->length == token.size()) {
    return added->id;
  }
  const TokenId* id = state_->id_of_bytes.find(token);
  if (id == nullptr) return std::nullopt;
  return *id;
}

const std::string& Tokenizer::name() const {
  return state_->name;
}

}  // namespace servemeter
