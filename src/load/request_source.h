#pragma once
// Where a cell's requests come from: built one at a time, just before each is sent, so a cell of
// ten million requests holds only the requests in flight.
#include <cstdint>
#include <variant>
#include <vector>

#include "protocol/api_adapter.h"

namespace servemeter::load {

struct PreparedRequest {
  // Either a generation request (the adapter builds its body) or a ready body.
  std::variant<GenerationRequest, HttpRequestSpec> request;
  std::int64_t requested_input_tokens = -1;
  std::int64_t requested_output_tokens = -1;
  std::uint32_t item = 0;  // which dataset item the prompt came from (see workload/dataset.h)
};

class RequestSource {
 public:
  virtual ~RequestSource() = default;
  virtual std::size_t size() const = 0;  // warm-up included
  // Request `index` (0-based, warm-up first) into `out`, reusing its buffers. Called on the load
  // generator's thread right before the request is sent; must not throw for a valid index.
  virtual void make(std::size_t index, PreparedRequest& out) const = 0;
};

// A list built up front: tests, benchmarks and small custom cells.
class VectorSource final : public RequestSource {
 public:
  explicit VectorSource(const std::vector<PreparedRequest>& requests) : requests_(requests) {}
  std::size_t size() const override { return requests_.size(); }
  void make(std::size_t index, PreparedRequest& out) const override { out = requests_[index]; }

 private:
  const std::vector<PreparedRequest>& requests_;
};

}  // namespace servemeter::load
