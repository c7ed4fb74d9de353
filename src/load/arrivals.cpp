#include "load/arrivals.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace servemeter::load {
namespace {

double checked_rate(double rate) {
  if (!(rate > 0.0))
    throw std::invalid_argument("request rate must be > 0 (got " + std::to_string(rate) + ")");
  return rate;
}

double checked_burstiness(double burstiness) {
  if (!(burstiness > 0.0) || std::isinf(burstiness))
    throw std::invalid_argument("burstiness must be a finite number > 0 (got " +
                                std::to_string(burstiness) + ")");
  return burstiness;
}

}  // namespace

ArrivalProcess::ArrivalProcess(double rate, double burstiness, std::uint64_t seed)
    : all_at_once_(std::isinf(checked_rate(rate))),
      rng_(seed),
      gap_(checked_burstiness(burstiness), all_at_once_ ? 1.0 : 1.0 / (rate * burstiness)) {}

std::int64_t ArrivalProcess::next_offset_ns() {
  if (first_ || all_at_once_) {
    first_ = false;
    return all_at_once_ ? 0 : static_cast<std::int64_t>(std::llround(t_s_ * 1e9));
  }
  t_s_ += gap_(rng_);
  return static_cast<std::int64_t>(std::llround(t_s_ * 1e9));
}

std::vector<std::int64_t> arrival_offsets_ns(std::size_t count, double rate, double burstiness,
                                             std::uint64_t seed) {
  ArrivalProcess process(rate, burstiness, seed);
  std::vector<std::int64_t> offsets;
  offsets.reserve(count);
  for (std::size_t i = 0; i < count; ++i) offsets.push_back(process.next_offset_ns());
  return offsets;
}

}  // namespace servemeter::load
