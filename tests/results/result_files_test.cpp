#include "results/result_files.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <sstream>

#include "results/atomic_file.h"
#include "results/requests_jsonl.h"
#include "support/temp_dir.h"

namespace servemeter {
namespace {

RequestRecord sample() {
  RequestRecord r;
  r.id = 7;
  r.cell = "in=8,out=4";
  r.trial = 1;
  r.send_ns = r.intended_send_ns = 1'000'000;
  r.first_token_ns = 3'000'000;
  r.first_content_ns = 4'000'000;
  r.token_event_ns = {3'000'000, 4'000'000, 5'000'000};
  r.end_ns = 6'000'000;
  r.input_tokens = 9;
  r.output_tokens = 4;
  r.output_tokens_source = TokenCountSource::server;
  r.http_status = 200;
  r.finish_reason = "length";
  r.server_timing.prompt_ms = 1.5;
  r.server_timing.cache_n = 3;
  return r;
}

TEST(RequestsJsonl, RoundTripsEveryRawField) {
  const auto line = request_json(sample(), "custom");
  EXPECT_EQ(line["schema"], kRequestSchema);
  EXPECT_TRUE(line["cached_tokens"].is_null());
  EXPECT_TRUE(line["error"].is_null());
  const auto back = parse_request_json(nlohmann::json::parse(line.dump()));
  EXPECT_EQ(back.id, 7u);
  EXPECT_EQ(back.token_event_ns, sample().token_event_ns);
  EXPECT_EQ(back.first_content_ns, 4'000'000);
  EXPECT_EQ(back.output_tokens_source, TokenCountSource::server);
  EXPECT_EQ(back.cached_tokens, -1);
  EXPECT_EQ(*back.server_timing.cache_n, 3);
  EXPECT_DOUBLE_EQ(*back.server_timing.prompt_ms, 1.5);
  EXPECT_EQ(request_json(back, "custom"), line);
}

TEST(RequestsJsonl, RejectsForeignSchemaNamingIt) {
  try {
    parse_request_json(nlohmann::json{{"schema", "other/2"}});
    FAIL() << "accepted a foreign schema";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("other/2"), std::string::npos);
  }
}

TEST(ResultFiles, NamesAreFileSafe) {
  const auto paths = result_paths("results", "ollama", "llama3.1:8b");
  EXPECT_EQ(paths.results_json, "results/ollama/ollama_llama3.1-8b_results.json");
  EXPECT_EQ(paths.requests_jsonl, "results/ollama/ollama_llama3.1-8b_requests.jsonl");
}

TEST(ResultFiles, WritesBothFilesWithOneLinePerRequest) {
  const testsupport::TempDir dir;
  RunDocument run;
  run.meta.framework = "vllm";
  run.meta.model = "meta-llama/Llama-3.1-8B-Instruct";
  run.meta.simulated = true;
  CellRun cell;
  cell.scenario = "custom";
  cell.params = {{"concurrency", 1}};
  cell.trials = {{sample(), sample()}};
  run.cells.push_back(cell);
  const auto paths = write_result_files(dir, run);
  std::ifstream jsonl(paths.requests_jsonl);
  std::string line;
  int lines = 0;
  while (std::getline(jsonl, line)) ++lines;
  EXPECT_EQ(lines, 2);
  std::ifstream results(paths.results_json);
  const auto doc = nlohmann::json::parse(results);
  EXPECT_EQ(doc["simulated"], true);
  EXPECT_EQ(doc["results"][0]["successful_requests"], 2);
}

TEST(ResultFiles, UnwritableFolderNamesThePath) {
  // Root ignores permission bits, so use a path under a regular file: unwritable for anyone.
  const testsupport::TempDir dir;
  const auto file = dir / "a-file";
  write_file_atomically(file, "x");
  try {
    ensure_writable_folder(file / "results");
    FAIL() << "accepted a folder under a regular file";
  } catch (const OutputError& e) {
    EXPECT_NE(std::string(e.what()).find((file / "results").string()), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("--results-dir"), std::string::npos);
  }
}

TEST(ResultFiles, SummaryLineHasRunbookShape) {
  CellRun cell;
  cell.scenario = "custom";
  cell.cell = "in=8,out=4";
  cell.params = {{"concurrency", 4}};
  cell.trials = {{sample()}};
  const auto text = summary_line(cell);
  EXPECT_EQ(text.rfind("[custom] in=8,out=4 conc=4 | TTFT=2.0ms | throughput=", 0), 0u) << text;
  EXPECT_NE(text.find("| p99=5.0ms | success=100.0%"), std::string::npos) << text;
}

}  // namespace
}  // namespace servemeter
