#include "analysis/saturation.h"

#include <cmath>
#include <limits>
#include <string>

#include "analysis/sample_summary.h"

namespace servemeter {
namespace {

std::string percent_text(double fraction) {
  return (fraction >= 0 ? "+" : "") + number_text(std::round(fraction * 1000) / 10) + "%";
}

std::optional<std::string> invalid_points(std::span<const LoadPoint> points) {
  for (std::size_t i = 0; i < points.size(); ++i) {
    const LoadPoint& p = points[i];
    const std::string at = " at index " + std::to_string(i);
    if (!std::isfinite(p.concurrency) || !std::isfinite(p.throughput) ||
        !std::isfinite(p.latency)) {
      return "point" + at + " has a non-finite value; leave unmeasured levels out";
    }
    if (p.throughput < 0) return "throughput " + number_text(p.throughput) + at + " is negative";
    if (!(p.latency > 0)) return "latency " + number_text(p.latency) + at + " is not above 0";
    if (i > 0 && !(p.concurrency > points[i - 1].concurrency)) {
      return "concurrency " + number_text(p.concurrency) + at +
             " does not exceed the level before it; sort the points by concurrency and merge "
             "repeated levels";
    }
  }
  return std::nullopt;
}

// Relative growth from `from` to `to`; a rise from 0 counts as unbounded growth.
double growth(double from, double to) {
  if (from > 0) return to / from - 1;
  return to > 0 ? std::numeric_limits<double>::infinity() : 0.0;
}

}  // namespace

Computed<Saturation> find_saturation(std::span<const LoadPoint> points, double min_growth) {
  using Result = Computed<Saturation>;
  if (!(std::isfinite(min_growth) && min_growth >= 0)) {
    return Result::unavailable("growth threshold " + number_text(min_growth) +
                               " must be a finite fraction ≥ 0 (0.10 for 10%)");
  }
  if (points.size() < 2) {
    return Result::unavailable("saturation needs at least 2 concurrency levels (have " +
                               std::to_string(points.size()) + ")");
  }
  if (auto why = invalid_points(points)) return Result::unavailable(*why);

  // The flat tail: the first step index from which no step grows by min_growth or more.
  const std::size_t steps = points.size() - 1;
  std::size_t flat_from = steps;
  while (flat_from > 0 &&
         growth(points[flat_from - 1].throughput, points[flat_from].throughput) < min_growth) {
    --flat_from;
  }
  if (flat_from == steps) {
    const LoadPoint& before = points[steps - 1];
    const LoadPoint& last = points[steps];
    return Result::unavailable("not reached: throughput still grows " +
                               percent_text(growth(before.throughput, last.throughput)) +
                               " from concurrency " + number_text(before.concurrency) + " to " +
                               number_text(last.concurrency) + " (threshold " +
                               percent_text(min_growth) + "); test higher concurrency");
  }
  const LoadPoint& last = points[steps];
  for (std::size_t k = flat_from; k < steps; ++k) {
    const LoadPoint& here = points[k];
    const LoadPoint& next = points[k + 1];
    if (next.latency > here.latency && last.latency > here.latency) {
      Saturation s;
      s.concurrency = here.concurrency;
      s.index = k;
      s.next_concurrency = next.concurrency;
      s.throughput_growth = growth(here.throughput, next.throughput);
      s.latency_growth = next.latency / here.latency - 1;
      return s;
    }
  }
  return Result::unavailable("throughput stops growing from concurrency " +
                             number_text(points[flat_from].concurrency) +
                             " but latency does not keep rising, so the server is not queueing; "
                             "the client or the workload may be the limit");
}

}  // namespace servemeter
