#include "scenario/duration_estimate.h"

#include <gtest/gtest.h>

namespace servemeter {
namespace {

CellSpec cell(int concurrency, int requests) {
  CellSpec c;
  c.result_name = "x";
  c.input_tokens = 512;
  c.output_tokens = 256;
  c.concurrency = concurrency;
  c.num_requests = requests;
  return c;
}

TEST(DurationEstimate, BatchingServersFinishConcurrentCellsFasterThanOllama) {
  const double vllm = estimate_cell_seconds(cell(8, 100), performance_guess("vllm"));
  const double ollama = estimate_cell_seconds(cell(8, 100), performance_guess("ollama"));
  const double alone = estimate_cell_seconds(cell(1, 100), performance_guess("vllm"));
  EXPECT_GT(ollama, 5 * vllm);  // one request at a time
  EXPECT_DOUBLE_EQ(ollama, estimate_cell_seconds(cell(1, 100), performance_guess("ollama")));
  // 100 requests of ~3.1 s one after another.
  EXPECT_GT(alone, 250);
  EXPECT_LT(alone, 400);
}

TEST(DurationEstimate, OpenLoopTakesAtLeastTheArrivalSpan) {
  CellSpec c = cell(1, 100);
  c.concurrency.reset();
  c.request_rate = 2.0;
  EXPECT_GE(estimate_cell_seconds(c, performance_guess("vllm")), 50);
}

TEST(DurationEstimate, FormatsSecondsMinutesAndHours) {
  EXPECT_EQ(format_duration(12.2), "13 s");
  EXPECT_EQ(format_duration(600), "10 min");
  EXPECT_EQ(format_duration(9000), "2.5 h");
}

}  // namespace
}  // namespace servemeter
