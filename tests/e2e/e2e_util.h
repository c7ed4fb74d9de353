#pragma once
// Shared set-up of end-to-end tests: a simulator on an ephemeral loopback port and the load
// generator driving it through a real adapter.
#include <memory>
#include <string>

#include "load/dataset_source.h"
#include "load/run_cell.h"
#include "protocol/api_adapter.h"
#include "sim/sim_server.h"
#include "workload/synthetic_dataset.h"

namespace servemeter::e2e {

struct SimTarget {
  std::unique_ptr<sim::SimServer> server;
  std::string base_url;
};

inline SimTarget start_sim(sim::SimOptions options) {
  options.host = "127.0.0.1";
  options.port = 0;
  SimTarget target;
  target.server = sim::SimServer::start(options);
  target.base_url = "http://127.0.0.1:" + std::to_string(target.server->port());
  return target;
}

struct CellRequest {
  std::string api = "openai-chat";
  std::string model = "meta-llama/Llama-3.1-8B-Instruct";
  int input_tokens = 128;
  int output_tokens = 32;
  int num_requests = 8;
  int warmup = 0;
  int concurrency = 1;
  std::uint64_t seed = 1;
  // Same prompt for every request (prefix-cache tests); otherwise distinct prompts.
  bool same_prompt = false;
};

inline load::CellResult run_against(const std::string& base_url, const CellRequest& c,
                                    http::ClientOptions client = {}) {
  const auto adapter = make_adapter(c.api);
  const SyntheticDataset prompts(static_cast<std::size_t>(c.input_tokens), c.seed, {},
                                 c.same_prompt);
  GenerationRequest shared;
  shared.model = c.model;
  shared.max_tokens = c.output_tokens;
  const load::DatasetSource source(prompts, static_cast<std::size_t>(c.warmup + c.num_requests), 0,
                                   shared);
  load::CellInput input;
  input.base_url = base_url;
  input.adapter = adapter.get();
  input.client = client;
  input.source = &source;
  input.warmup = c.warmup;
  input.load.mode = load::ClosedLoop{c.concurrency};
  input.cell = "e2e";
  load::NullProgress quiet;
  return load::run_cell(input, quiet);
}

}  // namespace servemeter::e2e
