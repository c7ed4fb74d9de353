#pragma once
// The load generator: runs one scenario cell (requests built one by one from a RequestSource,
// under a closed- or open-loop load) on one thread and hands every finished request's record to
// the RecordSink as it finishes. Memory does not grow with the number of requests.
//
// Warm-up: the first `warmup` requests run first, as a closed loop at the cell's concurrency
// (open loop: max_concurrency, or 1 when uncapped), and all finish before the first measured
// request is sent, so warm-up never overlaps the measured window. They are marked
// record.warmup = true; the aggregator excludes them.
#include "load/load_spec.h"
#include "load/progress.h"

namespace servemeter::load {

// Interrupts (CellInput::stop): level 1 stops sending and gives the requests in flight the grace
// period, then cancels them (error kind `cancelled`); level 2 cancels them at once. A run of
// connection failures ends the cell as StopReason::server_gone. Requests never sent are never
// recorded.
//
// Throws std::invalid_argument for an unusable input (no adapter, bad rate, concurrency < 1).
// Request failures are records, never exceptions.
CellResult run_cell(const CellInput& input, ProgressSink& progress);

}  // namespace servemeter::load
