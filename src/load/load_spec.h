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

struct PreparedRequest {
  // Either a generation request (built by the adapter before the run starts) or a ready body.
  std::variant<GenerationRequest, HttpRequestSpec> request;
  std::int64_t requested_input_tokens = -1;
  std::int64_t requested_output_tokens = -1;
};

struct CellInput {
  std::string base_url;  // scheme://host:port, no trailing path
  const ApiAdapter* adapter = nullptr;
  http::ClientOptions client;
  std::vector<PreparedRequest> requests;
  // The first `warmup` requests are warm-up: marked, and run to completion before the measured
  // ones start (see run_cell).
  int warmup = 0;
  LoadSpec load;
  std::string cell;  // label copied into every record
  int trial = 0;
  std::uint64_t first_id = 1;  // record ids are first_id, first_id+1, …; sent as X-Request-Id
  // Set (e.g. by a SIGINT handler) to stop sending; requests in flight finish and are kept,
  // requests never sent are dropped from the result. Checked ~4×/s.
  const volatile std::sig_atomic_t* stop = nullptr;
};

struct CellResult {
  std::vector<RequestRecord> records;  // in request order, warm-up first
  // Measured window: first measured send → last measured end (warm-up excluded). 0 if none.
  std::int64_t window_start_ns = 0;
  std::int64_t window_end_ns = 0;
  std::optional<double> target_rate;  // open loop only (infinity for "all at once")
  // Measured requests sent per second: (sends − 1) / (last send − first send); null if < 2.
  std::optional<double> achieved_rate;
};

}  // namespace servemeter::load
