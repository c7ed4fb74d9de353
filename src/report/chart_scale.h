#pragma once
// Axis ranges and tick marks: 1-2-5 steps for linear axes, powers of two for log2 axes, and
// labels that show as many decimals as the step needs ("0.25", "1,200", "3.5M").
#include <string>
#include <vector>

namespace servemeter {

struct Tick {
  double value = 0;  // in axis units (for log2 axes: the exponent)
  std::string label;
};

struct AxisTicks {
  double min = 0, max = 1;  // the axis range, in axis units; min < max
  std::vector<Tick> ticks;
};

// About `target` (≥ 2) ticks at a 1-2-5 step covering [data_min, data_max], the range extended to
// whole steps. A zero-width range is widened around its value ([0, 1] for 0).
AxisTicks linear_ticks(double data_min, double data_max, int target);

// Powers of two covering [data_min, data_max] (both > 0); min and max are exponents. At most
// `max_ticks` ticks: every second (third, …) power when the range is wide.
AxisTicks log2_ticks(double data_min, double data_max, int max_ticks);

// `value` with the decimals that `step` needs, thousands separated ("12,500"); `in_millions`:
// as millions with an "M" ("3.5M"), for axes that reach a million.
std::string tick_label(double value, double step, bool in_millions = false);

}  // namespace servemeter
