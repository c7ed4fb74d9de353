#pragma once
// The open-loop arrival process: intended send offsets from the start of the measured phase.
#include <cstdint>
#include <vector>

namespace servemeter::load {

// `count` offsets in ns, the first at 0, gaps ~ Gamma(shape = burstiness, scale =
// 1 / (rate · burstiness)) so the mean gap is 1/rate whatever the burstiness (vLLM's model).
// rate = +inf (or ≤ 0 gaps) puts every arrival at 0. Deterministic for a given seed.
std::vector<std::int64_t> arrival_offsets_ns(std::size_t count, double rate, double burstiness,
                                             std::uint64_t seed);

}  // namespace servemeter::load
