// The scenario-file reader on hostile YAML: it may reject the input only with ScenarioError (a
// message naming the file, the cell, the key and the value); any other exception that escapes,
// and any sanitizer report, is a finding. What it accepts must be a usable scenario.
#include <cstdint>
#include <string_view>

#include "fuzz_reads.h"
#include "scenario/duration_estimate.h"
#include "scenario/scenario_spec.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace servemeter;
  try {
    const ScenarioSpec spec =
        parse_scenario({reinterpret_cast<const char*>(data), size}, "fuzz.yaml");
    fuzz::check(!spec.cells.empty(), "a scenario without cells was accepted");
    for (const auto& cell : spec.cells) {
      fuzz::check(cell.num_requests >= 1 && cell.output_tokens >= 1, "a cell with no work");
      fuzz::check(cell.concurrency.has_value() != cell.request_rate.has_value(),
                  "a cell with both or neither of concurrency and request_rate");
      estimate_cell_seconds(cell, performance_guess("vllm"));
    }
  } catch (const ScenarioError&) {
    // Rejected with the documented error.
  }
  return 0;
}
