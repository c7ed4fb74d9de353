#pragma once
// One cell of a benchmark as planned: the workload, the load, the trials. Scenarios expand into
// these; `servemeter run --input-tokens …` makes one.
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "load/load_spec.h"
#include "protocol/api_adapter.h"
#include "workload/dataset.h"

namespace servemeter {

struct CellPlan {
  std::string scenario;  // the runbook's name: single_request, concurrent_load, …, or custom
  std::string label;     // in=512,out=256,conc=8
  // Everything that shaped the measurement (lengths, load, counts, seed, dataset, SLOs…):
  // recorded with the cell and hashed into its key, so --resume only skips an identical cell.
  nlohmann::json params = nlohmann::json::object();
  load::LoadSpec load;
  int warmup = 0;
  int num_requests = 0;  // measured requests per trial
  int trials = 1;
  bool flush_cache = false;  // empty the server's prefix cache before each trial
  std::shared_ptr<const Dataset> dataset;
  GenerationRequest shared;  // every request's settings but the prompt
};

// A stable key of the cell's identity: scenario, label, params, and the model and API measured.
std::string cell_key(const CellPlan& plan, const std::string& model, const std::string& api);

}  // namespace servemeter
