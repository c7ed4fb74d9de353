#pragma once
// One small custom cell measured through BenchmarkRun, as `servemeter run` would: for tests that
// start a server and want to see it measured end to end.
#include <memory>
#include <sstream>
#include <string>

#include "orchestrate/benchmark_run.h"
#include "orchestrate/cell_plan.h"
#include "protocol/api_adapter.h"
#include "results/result_paths.h"
#include "workload/synthetic_dataset.h"

namespace servemeter::testsupport {

struct SmallCell {
  int requests = 4;
  int concurrency = 2;
  int input_tokens = 64;
  int output_tokens = 16;
};

struct SmallBenchmark {
  BenchmarkOutcome outcome;
  ResultPaths paths;
  std::string summary;  // what BenchmarkRun printed
};

inline SmallBenchmark measure_small_cell(const std::string& base_url, const std::string& framework,
                                         const std::string& api, const std::string& model,
                                         const std::filesystem::path& results_dir,
                                         const SmallCell& cell = {},
                                         const volatile std::sig_atomic_t* stop = nullptr,
                                         double time_scale = 1.0) {
  SmallBenchmark result;
  result.paths = result_paths(results_dir, framework, model);
  std::filesystem::create_directories(result.paths.folder);
  const std::unique_ptr<ApiAdapter> adapter = make_adapter(api);
  CellPlan plan;
  plan.scenario = "custom";
  plan.label =
      "in=" + std::to_string(cell.input_tokens) + ",out=" + std::to_string(cell.output_tokens);
  plan.dataset = std::make_shared<SyntheticDataset>(cell.input_tokens, 1);
  plan.params = {{"input_tokens", cell.input_tokens},
                 {"output_tokens", cell.output_tokens},
                 {"concurrency", cell.concurrency},
                 {"num_requests", cell.requests}};
  plan.num_requests = cell.requests;
  plan.load.mode = load::ClosedLoop{cell.concurrency};
  plan.shared.model = model;
  plan.shared.max_tokens = cell.output_tokens;
  RunInfo run;
  run.run_id = "test";
  run.framework = framework;
  run.model_preset = model;
  run.model = model;
  run.base_url = base_url;
  run.api = api;
  run.time_scale = time_scale;
  BenchmarkSettings settings;
  settings.progress = false;
  settings.stop.level = stop;
  settings.stop.grace_ns = 1'000'000'000;
  http::ClientOptions client;
  client.request_timeout = std::chrono::seconds(120);
  BenchmarkRun benchmark({base_url, adapter.get(), client, framework, {}}, run, result.paths,
                         settings);
  std::ostringstream out;
  result.outcome = benchmark.run({plan}, out);
  result.summary = out.str();
  return result;
}

}  // namespace servemeter::testsupport
