#pragma once
// Runs a list of cells against one server, one trial after another: each finished request goes
// to the raw log as it finishes, each trial ends with a synced trial_end line, and after each
// cell the framework's results file is rewritten from the log (the same derivation `analyze`
// uses), atomically. An interrupt, a server that went away or a write failure ends the run with
// every finished measurement on disk.
#include <iosfwd>
#include <string>
#include <vector>

#include "http/client_options.h"
#include "load/load_spec.h"
#include "load/progress.h"
#include "orchestrate/cell_plan.h"
#include "results/log_lines.h"
#include "results/result_paths.h"

namespace servemeter {

struct BenchmarkTarget {
  std::string base_url;
  const ApiAdapter* adapter = nullptr;
  http::ClientOptions client;
  std::string framework;   // names the server's metrics and its cache-flush endpoint
  std::string flush_path;  // POST here empties the prefix cache (SGLang, vLLM); empty: none
};

struct BenchmarkSettings {
  bool progress = true;
  // Where progress goes instead of stderr (benchmarks watching a long run); outlives run().
  load::ProgressSink* progress_sink = nullptr;
  load::StopSignal stop;
  bool resume = false;  // skip cells whose identical measurement is already complete in the log
  bool gpu_telemetry = true;     // sample the GPUs during every trial (NVML, else nvidia-smi)
  bool server_telemetry = true;  // scrape the server's /metrics before and after every trial
};

struct CellOutcome {
  std::string scenario, label, key;
  bool skipped = false;  // --resume found it measured
  load::StopReason stop_reason = load::StopReason::none;
  std::string stop_detail;
  bool any_success = false;
  nlohmann::json entry;  // its results[] entry, as written
};

struct BenchmarkOutcome {
  std::vector<CellOutcome> cells;
  bool stopped = false;  // an interrupt or a dead server ended it before the last cell
  load::StopReason stop_reason = load::StopReason::none;
  std::string stop_detail;
  std::filesystem::path results_written;  // the results file, or its fallback copy
  std::string results_failure;            // why the results file itself could not be written
  std::filesystem::path log_fallback;     // where the raw log went when its own file failed
};

class BenchmarkRun {
 public:
  // Opens (and locks) the raw log and writes the run line: nothing is measured before the
  // output can be written. Throws OutputError.
  BenchmarkRun(BenchmarkTarget target, RunInfo run, ResultPaths paths, BenchmarkSettings settings);
  ~BenchmarkRun();
  BenchmarkRun(const BenchmarkRun&) = delete;
  BenchmarkRun& operator=(const BenchmarkRun&) = delete;

  // Summary lines go to `out`, one per cell.
  BenchmarkOutcome run(const std::vector<CellPlan>& cells, std::ostream& out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace servemeter
