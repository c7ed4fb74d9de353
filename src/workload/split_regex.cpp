#include "workload/split_regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <cstdint>
#include <string>

namespace servemeter {
namespace {

// ECMAScript's WhiteSpace and LineTerminator code points, as a character-class body.
constexpr std::string_view kJsWhiteSpace =
    "\\t\\n\\x0B\\f\\r\\x20\\xA0\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}"
    "\\x{205F}\\x{3000}\\x{FEFF}";

constexpr std::string_view kCaselessContractions = "(?i:'s|'t|'re|'ve|'m|'ll|'d)";
constexpr std::string_view kAsciiCaseContractions =
    "(?:'(?:[sS]|[tT]|[rR][eE]|[vV][eE]|[mM]|[lL][lL]|[dD]))";

std::string pcre2_message(int code) {
  PCRE2_UCHAR buffer[256];
  if (pcre2_get_error_message(code, buffer, sizeof buffer) < 0) {
    return "PCRE2 error " + std::to_string(code);
  }
  return reinterpret_cast<const char*>(buffer);
}

// Rewrites \s and \S to ECMAScript's white space, and the caseless contraction group to its
// ASCII-only form.
std::string js_compatible(std::string_view pattern) {
  std::string out;
  out.reserve(pattern.size() + 64);
  bool in_class = false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (!in_class && pattern.substr(i).starts_with(kCaselessContractions)) {
      out += kAsciiCaseContractions;
      i += kCaselessContractions.size() - 1;
      continue;
    }
    const char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      const char escaped = pattern[++i];
      if (escaped == 's') {
        out += in_class ? std::string(kJsWhiteSpace) : "[" + std::string(kJsWhiteSpace) + "]";
      } else if (escaped == 'S') {
        if (in_class) {
          throw std::invalid_argument("\\S inside a character class is not supported");
        }
        out += "[^" + std::string(kJsWhiteSpace) + "]";
      } else if (escaped == 'Q') {
        throw std::invalid_argument("\\Q...\\E quoting is not supported");
      } else {
        out += c;
        out += escaped;
      }
      continue;
    }
    out += c;
    if (!in_class && c == '[') {
      in_class = true;
      // A ']' right after '[' or '[^' is a literal, not the end of the class.
      if (i + 1 < pattern.size() && pattern[i + 1] == '^') out += pattern[++i];
      if (i + 1 < pattern.size() && pattern[i + 1] == ']') out += pattern[++i];
    } else if (in_class && c == '[' && i + 1 < pattern.size() && pattern[i + 1] == ':') {
      throw std::invalid_argument("POSIX classes ([:name:]) are not supported");
    } else if (in_class && c == ']') {
      in_class = false;
    }
  }
  return out;
}

}  // namespace

struct SplitRegex::Compiled {
  pcre2_code* code = nullptr;
  // PCRE2's default match limit (10 million backtracks) is reached by a run of ~10 million
  // spaces, which "\s*[\r\n]+" scans and gives back; these patterns backtrack at most once
  // over a run, so the limit is raised a hundredfold. Read-only while matching: threads share it.
  pcre2_match_context* context = nullptr;
  ~Compiled() {
    pcre2_match_context_free(context);
    pcre2_code_free(code);
  }
};

SplitRegex::SplitRegex(std::string_view pattern)
    : compiled_pattern_(js_compatible(pattern)), compiled_(std::make_unique<Compiled>()) {
  int error = 0;
  PCRE2_SIZE offset = 0;
  compiled_->code = pcre2_compile(
      reinterpret_cast<PCRE2_SPTR>(compiled_pattern_.data()), compiled_pattern_.size(),
      PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF, &error, &offset, nullptr);
  if (compiled_->code == nullptr) {
    throw std::invalid_argument(pcre2_message(error) + " at offset " + std::to_string(offset) +
                                " of the pattern as rewritten: " + compiled_pattern_);
  }
  // Without JIT (a platform PCRE2 lacks it for) pcre2_match interprets: slower, same result.
  pcre2_jit_compile(compiled_->code, PCRE2_JIT_COMPLETE);
  compiled_->context = pcre2_match_context_create(nullptr);
  if (compiled_->context == nullptr) throw std::bad_alloc();
  pcre2_set_match_limit(compiled_->context, 1u << 30);
}

SplitRegex::~SplitRegex() = default;
SplitRegex::SplitRegex(SplitRegex&&) noexcept = default;
SplitRegex& SplitRegex::operator=(SplitRegex&&) noexcept = default;

void SplitRegex::split(std::string_view text, std::vector<std::string_view>& pieces) const {
  struct MatchData {
    pcre2_match_data* data;
    ~MatchData() { pcre2_match_data_free(data); }
  } match{pcre2_match_data_create(1, nullptr)};
  if (match.data == nullptr) throw std::bad_alloc();

  const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  std::size_t piece_start = 0;  // end of the previous match
  std::size_t search_from = 0;
  while (search_from < text.size()) {
    const int rc = pcre2_match(compiled_->code, subject, text.size(), search_from, 0, match.data,
                               compiled_->context);
    if (rc == PCRE2_ERROR_NOMATCH) break;
    if (rc < 0) throw std::runtime_error("split regex: " + pcre2_message(rc));
    const PCRE2_SIZE* span = pcre2_get_ovector_pointer(match.data);
    const std::size_t begin = span[0];
    const std::size_t end = span[1];
    if (end == begin) {  // an empty match splits nothing; look again one character on
      search_from = begin + 1;
      while (search_from < text.size() &&
             (static_cast<unsigned char>(text[search_from]) & 0xC0) == 0x80) {
        ++search_from;
      }
      continue;
    }
    if (begin > piece_start) pieces.push_back(text.substr(piece_start, begin - piece_start));
    pieces.push_back(text.substr(begin, end - begin));
    piece_start = search_from = end;
  }
  if (piece_start < text.size()) pieces.push_back(text.substr(piece_start));
}

}  // namespace servemeter
