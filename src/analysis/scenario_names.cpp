#include "analysis/scenario_names.h"

#include <array>
#include <cctype>
#include <cstdlib>
#include <string>

namespace servemeter::scenario_name {
namespace {

constexpr std::array<std::string_view, kKnownScenarios> kOrder{
    kSingleRequest,      kConcurrentLoad, kLongContext, kPrefixCache,
    kPrefixCacheControl, kKoreanKo,       kKoreanEn};

bool digit(char c) {
  return std::isdigit(static_cast<unsigned char>(c)) != 0;
}

}  // namespace

int rank(std::string_view scenario) {
  for (int i = 0; i < kKnownScenarios; ++i)
    if (kOrder[static_cast<std::size_t>(i)] == scenario) return i;
  return kKnownScenarios;
}

std::string_view known(int rank) {
  return kOrder.at(static_cast<std::size_t>(rank));
}

bool label_less(std::string_view a, std::string_view b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (digit(a[i]) && digit(b[j])) {
      std::size_t ei = i, ej = j;
      while (ei < a.size() && (digit(a[ei]) || a[ei] == '.')) ++ei;
      while (ej < b.size() && (digit(b[ej]) || b[ej] == '.')) ++ej;
      const double x = std::strtod(std::string(a.substr(i, ei - i)).c_str(), nullptr);
      const double y = std::strtod(std::string(b.substr(j, ej - j)).c_str(), nullptr);
      if (x != y) return x < y;
      i = ei;
      j = ej;
      continue;
    }
    if (a[i] != b[j]) return a[i] < b[j];
    ++i;
    ++j;
  }
  if ((a.size() - i) != (b.size() - j)) return (a.size() - i) < (b.size() - j);
  return a < b;
}

}  // namespace servemeter::scenario_name
