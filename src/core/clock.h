#pragma once
// One clock for every timestamp the tool takes, so client stamps and the simulator's truth log
// compare directly on the same machine.
#include <time.h>

#include <cstdint>

namespace servemeter {

inline std::int64_t monotonic_ns() noexcept {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

inline double ns_to_ms(std::int64_t ns) noexcept {
  return static_cast<double>(ns) / 1e6;
}

}  // namespace servemeter
