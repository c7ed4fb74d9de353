#include "load/arrivals.h"

#include <cmath>
#include <random>
#include <stdexcept>
#include <string>

namespace servemeter::load {

std::vector<std::int64_t> arrival_offsets_ns(std::size_t count, double rate, double burstiness,
                                             std::uint64_t seed) {
  if (!(rate > 0.0))
    throw std::invalid_argument("request rate must be > 0 (got " + std::to_string(rate) + ")");
  if (!(burstiness > 0.0) || std::isinf(burstiness))
    throw std::invalid_argument("burstiness must be a finite number > 0 (got " +
                                std::to_string(burstiness) + ")");
  std::vector<std::int64_t> offsets(count, 0);
  if (std::isinf(rate)) return offsets;
  std::mt19937_64 rng(seed);
  std::gamma_distribution<double> gap(burstiness, 1.0 / (rate * burstiness));
  double t = 0.0;  // seconds; summed in double so rounding does not drift
  for (std::size_t i = 1; i < count; ++i) {
    t += gap(rng);
    offsets[i] = static_cast<std::int64_t>(std::llround(t * 1e9));
  }
  return offsets;
}

}  // namespace servemeter::load
