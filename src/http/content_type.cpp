#include "http/content_type.h"

#include <array>
#include <cctype>

namespace servemeter::http {
namespace {

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

bool iends_with(std::string_view s, std::string_view suffix) noexcept {
  return s.size() >= suffix.size() && iequals(s.substr(s.size() - suffix.size()), suffix);
}

}  // namespace

bool is_streamable_content_type(std::string_view content_type) noexcept {
  std::string_view media = content_type.substr(0, content_type.find(';'));
  while (!media.empty() && (media.back() == ' ' || media.back() == '\t')) media.remove_suffix(1);
  while (!media.empty() && (media.front() == ' ' || media.front() == '\t')) media.remove_prefix(1);
  if (media.empty()) return true;
  constexpr std::array<std::string_view, 7> kAccepted = {
      "text/event-stream", "application/json",        "application/x-ndjson", "application/ndjson",
      "application/jsonl", "application/x-jsonlines", "application/jsonlines"};
  for (const auto accepted : kAccepted) {
    if (iequals(media, accepted)) return true;
  }
  return iends_with(media, "+json");
}

}  // namespace servemeter::http
