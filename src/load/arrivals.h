#pragma once
// The open-loop arrival process: intended send offsets from the start of the measured phase.
#include <cstdint>
#include <random>
#include <vector>

namespace servemeter::load {

// Offsets in ns, the first at 0, gaps ~ Gamma(shape = burstiness, scale = 1 / (rate ·
// burstiness)) so the mean gap is 1/rate whatever the burstiness (vLLM's model). rate = +inf
// puts every arrival at 0. Deterministic for a given seed; one offset at a time, so a cell of any
// size needs no schedule in memory.
class ArrivalProcess {
 public:
  // Throws std::invalid_argument for rate ≤ 0 or NaN, or burstiness not finite and > 0.
  ArrivalProcess(double rate, double burstiness, std::uint64_t seed);
  std::int64_t next_offset_ns();

 private:
  bool all_at_once_ = false;
  bool first_ = true;
  double t_s_ = 0.0;  // summed in double so rounding does not drift
  std::mt19937_64 rng_;
  std::gamma_distribution<double> gap_;
};

// The first `count` offsets of ArrivalProcess(rate, burstiness, seed).
std::vector<std::int64_t> arrival_offsets_ns(std::size_t count, double rate, double burstiness,
                                             std::uint64_t seed);

}  // namespace servemeter::load
