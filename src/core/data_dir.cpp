#include "core/data_dir.h"

#include <cstdlib>

namespace servemeter {

std::filesystem::path data_dir() {
  if (const char* env = std::getenv("SERVEMETER_DATA_DIR"); env && *env) return env;
  return SERVEMETER_BUILD_DATA_DIR;
}

}  // namespace servemeter
