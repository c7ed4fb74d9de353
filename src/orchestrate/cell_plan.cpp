#include "orchestrate/cell_plan.h"

#include <cstdio>

namespace servemeter {

std::string cell_key(const CellPlan& plan, const std::string& model, const std::string& api) {
  // nlohmann's object keys are ordered, so the dump is canonical.
  const std::string identity = nlohmann::json{
      {"scenario", plan.scenario},
      {"label", plan.label},
      {"params", plan.params},
      {"model", model},
      {"api", api}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a 64
  for (const unsigned char c : identity) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(h));
  return text;
}

}  // namespace servemeter
