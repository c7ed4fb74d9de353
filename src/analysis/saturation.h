#pragma once
// Where a server stops scaling: the concurrency past which adding clients no longer buys
// throughput, only queueing (latency).
#include <cstddef>
#include <span>

#include "analysis/computed.h"

namespace servemeter {

struct LoadPoint {
  double concurrency = 0;
  double throughput = 0;  // any rate: tokens/s or requests/s
  double latency = 0;     // any latency figure: mean or a percentile, any unit
};

struct Saturation {
  double concurrency = 0;        // the saturation point: the last level worth going to
  std::size_t index = 0;         // its position in the input
  double next_concurrency = 0;   // the level after it, where growth fell below the threshold
  double throughput_growth = 0;  // relative, concurrency → next_concurrency (0.04 = +4%)
  double latency_growth = 0;     // relative, same step (> 0)
};

// `points` sorted by strictly increasing concurrency, throughput ≥ 0 and latency > 0, finite.
// The saturation point is the first level k from which every further step raises throughput by
// less than `min_growth` (relative; 0.10 = 10%), where latency rises on the step out of k and is
// higher at the last level than at k. Steps are between neighbouring levels, whatever their
// spacing (1, 8, 16, 32, 64 → the 1→8 step counts as one step).
// Unavailable, with the reason, when fewer than 2 points, when throughput still grows at the last
// step (not reached: "+25% from 32 to 64"), or when it flattens without latency rising.
Computed<Saturation> find_saturation(std::span<const LoadPoint> points, double min_growth = 0.10);

}  // namespace servemeter
