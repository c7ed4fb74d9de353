#pragma once
// What one scenario cell asks of the load generator, and what it gives back.
#include <csignal>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/request_record.h"
#include "http/client_options.h"
#include "load/record_sink.h"
#include "load/request_source.h"
#include "protocol/api_adapter.h"

namespace servemeter::load {

// Keep `concurrency` requests in flight until the list is done.
struct ClosedLoop {
  int concurrency = 1;
};

// Requests arrive at `request_rate` per second (infinity: all at once). Inter-arrival times are
// gamma-distributed with shape `burstiness` and mean 1/rate, as vLLM's benchmark does
// (burstiness 1 = Poisson; < 1 burstier, > 1 more regular). `max_concurrency` > 0 caps requests
// in flight; a held-back request keeps its intended send time (no coordinated omission).
struct OpenLoop {
  double request_rate = 1.0;
  double burstiness = 1.0;
  int max_concurrency = 0;
};

struct LoadSpec {
  std::variant<ClosedLoop, OpenLoop> mode = ClosedLoop{};
  std::uint64_t seed = 0;  // arrival process RNG
};

// How a user's interrupt reaches the load generator: a signal handler bumps `level` (1: stop
// sending and let requests in flight finish within the grace period, then cancel them; 2: cancel
// them now). Checked every 100 ms.
struct StopSignal {
  const volatile std::sig_atomic_t* level = nullptr;
  std::int64_t grace_ns = 5'000'000'000;
};

// Why a cell ended before sending every request.
enum class StopReason {
  none,
  interrupted,          // the user's interrupt (SIGINT/SIGTERM)
  server_gone,          // a run of consecutive connection failures: the server went away
  client_out_of_files,  // the client ran out of file descriptors
};
std::string_view to_string(StopReason reason) noexcept;

struct CellInput {
  std::string base_url;  // scheme://host:port, no trailing path
  const ApiAdapter* adapter = nullptr;
  http::ClientOptions client;
  // The requests, built one by one as they are sent (warm-up first). When null, `requests` is.
  const RequestSource* source = nullptr;
  std::vector<PreparedRequest> requests;
  // Every finished request goes here, as it finishes. When null, run_cell keeps the records in
  // CellResult::records (tests and small runs).
  RecordSink* sink = nullptr;
  // The first `warmup` requests are warm-up: marked, and run to completion before the measured
  // ones start (see run_cell).
  int warmup = 0;
  LoadSpec load;
  std::string cell;  // label copied into every record
  int trial = 0;
  std::uint64_t first_id = 1;  // record ids are first_id, first_id+1, …; sent as X-Request-Id
  StopSignal stop;
  // This many connection failures in a row (and at least the concurrency) end the cell as
  // `server_gone`: the rest would fail within milliseconds and say nothing about the server.
  int server_gone_after = 10;
};

struct CellResult {
  std::vector<RequestRecord> records;  // only without a sink: in request (id) order
  // Measured window: first measured send → last measured end (warm-up excluded). 0 if none.
  std::int64_t window_start_ns = 0;
  std::int64_t window_end_ns = 0;
  std::optional<double> target_rate;  // open loop only (infinity for "all at once")
  // Measured requests sent per second: (sends − 1) / (last send − first send); null if < 2.
  std::optional<double> achieved_rate;
  std::int64_t planned = 0;    // requests in the cell, warm-up included
  std::int64_t sent = 0;       // requests handed to the client
  std::int64_t completed = 0;  // records delivered (= sent)
  std::int64_t failed = 0;     // of which with an error (cancelled included)
  std::int64_t cancelled = 0;  // cut by the user's interrupt after the grace period
  StopReason stop_reason = StopReason::none;
  std::string stop_detail;  // what the reason rests on, for the message and the results
};

}  // namespace servemeter::load
