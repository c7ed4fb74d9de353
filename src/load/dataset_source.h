#pragma once
// A cell's requests from a dataset: the prompt of request i, wrapped in the generation settings
// every request of the cell shares.
#include "load/request_source.h"
#include "workload/dataset.h"

namespace servemeter::load {

class DatasetSource final : public RequestSource {
 public:
  // `shared` holds everything but the prompt (model, max_tokens, exact length, context…).
  DatasetSource(const Dataset& dataset, std::size_t count, int trial, GenerationRequest shared)
      : dataset_(dataset), count_(count), trial_(trial), shared_(std::move(shared)) {}
  std::size_t size() const override { return count_; }
  void make(std::size_t index, PreparedRequest& out) const override;

 private:
  const Dataset& dataset_;
  std::size_t count_;
  int trial_;
  GenerationRequest shared_;
  mutable Prompt prompt_;  // reused: make() runs on the load generator's one thread
};

}  // namespace servemeter::load
