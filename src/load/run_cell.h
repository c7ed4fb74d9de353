#pragma once
// The load generator: runs one scenario cell (a list of prepared requests under a closed- or
// open-loop load) on one thread and returns every request's record.
//
// Warm-up: the first `warmup` requests run first, as a closed loop at the cell's concurrency
// (open loop: max_concurrency, or 1 when uncapped), and all finish before the first measured
// request is sent, so warm-up never overlaps the measured window. They are marked
// record.warmup = true; the aggregator excludes them.
#include "load/load_spec.h"
#include "load/progress.h"

namespace servemeter::load {

// Throws std::invalid_argument for an unusable input (no adapter, bad rate, concurrency < 1).
// Request failures are records, never exceptions.
CellResult run_cell(const CellInput& input, ProgressSink& progress);

}  // namespace servemeter::load
