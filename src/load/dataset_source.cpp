#include "load/dataset_source.h"

namespace servemeter::load {

void DatasetSource::make(std::size_t index, PreparedRequest& out) const {
  dataset_.prompt(index, trial_, prompt_);
  if (!std::holds_alternative<GenerationRequest>(out.request)) out.request = GenerationRequest{};
  auto& request = std::get<GenerationRequest>(out.request);
  request.model = shared_.model;
  request.max_tokens = shared_.max_tokens;
  request.exact_output_length = shared_.exact_output_length;
  request.temperature = shared_.temperature;
  request.context_length = shared_.context_length;
  request.system_prompt.assign(prompt_.system);
  request.prompt.assign(prompt_.user);
  out.requested_input_tokens = prompt_.target_input_tokens;
  out.requested_output_tokens = shared_.max_tokens;
  out.item = prompt_.item;
}

}  // namespace servemeter::load
