// Reading a results folder: raw logs first (and the results file rewritten from them as `run`
// writes it), the runbook's own results files and servemeter's schema-1 files, and malformed
// or missing inputs named and skipped.
#include "analysis/results_folder.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "analysis/comparison.h"
#include "analysis/results_document.h"
#include "analysis/test_records.h"
#include "results/request_log.h"
#include "support/temp_dir.h"

namespace servemeter {
namespace {

namespace fs = std::filesystem;

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The runbook's results JSON (§4-2 of the runbook), with two scenarios.
const char* const kRunbookResults = R"({
  "framework": "ollama",
  "model_preset": "gpt-oss-20b",
  "model": "gpt-oss:20b",
  "timestamp": "2026-02-19 14:30:00",
  "server_config": {"base_url": "http://localhost:11434", "model": "gpt-oss:20b",
                    "chat_endpoint": "/v1/chat/completions"},
  "gpu_info": {"memory_used_mb": 45000.0, "memory_total_mb": 81920.0, "gpu_utilization_pct": 85.0},
  "results": [
    {"scenario": "single_request", "framework": "ollama", "concurrency": 1, "input_tokens": 128,
     "output_tokens": 256, "num_requests": 10, "avg_ttft_ms": 45.23, "p50_ttft_ms": 43.10,
     "p95_ttft_ms": 52.80, "p99_ttft_ms": 55.10, "avg_latency_ms": 1230.50,
     "p50_latency_ms": 1220.00, "p95_latency_ms": 1280.00, "p99_latency_ms": 1295.00,
     "total_token_throughput": 208.50, "request_throughput": 0.81, "success_rate": 90.0,
     "total_time_sec": 12.35, "gpu_memory_mb": 45000.0, "gpu_utilization_pct": 85.0},
    {"scenario": "concurrent_load", "framework": "ollama", "concurrency": 16, "input_tokens": 512,
     "output_tokens": 256, "num_requests": 100, "avg_ttft_ms": "fast",
     "total_token_throughput": 300.0, "success_rate": 100.0},
    "not an entry"
  ]
})";

// servemeter's results file of schema 1 (earlier versions): model = preset, model_id = the id,
// figures per trial under trials[].
const char* const kSchema1Results = R"({
  "schema_version": 1, "tool": {"name": "servemeter", "version": "0.1.0"},
  "framework": "vllm", "model": "gpt-oss-20b", "model_id": "openai/gpt-oss-20b",
  "simulated": true, "time_scale": 20,
  "results": [
    {"scenario": "custom", "cell": "in=512,out=256",
     "params": {"input_tokens": 512, "output_tokens": 256, "concurrency": 8, "num_requests": 20},
     "num_trials": 2, "num_requests": 40, "successful_requests": 40,
     "trials": [{"num_requests": 20, "successful_requests": 20, "avg_ttft_ms": 40.0,
                 "total_token_throughput": 1000.0, "errors": {}},
                {"num_requests": 20, "successful_requests": 20, "avg_ttft_ms": 44.0,
                 "total_token_throughput": 1100.0, "errors": {}}],
     "errors": {}}
  ]
})";

// Request lines of schema 1: no run or cell lines, absolute token stamps.
std::string schema1_line(int id, int trial, double ttft_ms) {
  const long long send = 1'000'000'000LL + id * 100'000'000LL;
  const long long first = send + static_cast<long long>(ttft_ms * 1e6);
  std::ostringstream s;
  s << R"({"schema":"servemeter.request/1","id":)" << id
    << R"(,"scenario":"custom","cell":"in=128,out=4","trial":)" << trial
    << R"(,"warmup":false,"intended_send_ns":)" << send << R"(,"send_ns":)" << send
    << R"(,"first_token_ns":)" << first << R"(,"first_content_ns":)" << first << R"(,"end_ns":)"
    << first + 30'000'000 << R"(,"token_event_ns":[)" << first << "," << first + 10'000'000 << ","
    << first + 20'000'000 << "," << first + 30'000'000
    << R"(],"input_tokens":128,"output_tokens":4,"output_tokens_source":"server",)"
    << R"("http_status":200,"error":null})"
    << "\n";
  return s.str();
}

fs::path write_raw_log(const fs::path& results, const std::string& framework) {
  const fs::path path = results / framework / (framework + "_gpt-oss-20b_requests.jsonl");
  fs::create_directories(path.parent_path());
  RequestLogWriter log(path);
  RunInfo run;
  run.run_id = "r";
  run.framework = framework;
  run.model_preset = "gpt-oss-20b";
  run.model = "openai/gpt-oss-20b";
  log.write_run(run);
  CellInfo cell;
  cell.run_id = "r";
  cell.cell_key = "k";
  cell.scenario = "single_request";
  cell.cell = "in=100,out=11";
  cell.params = {{"concurrency", 1}, {"input_tokens", 100}, {"output_tokens", 11}};
  log.begin_cell(cell);
  for (int i = 0; i < 6; ++i) {
    RequestRecord r = testing::timed_request(i * 200.0, 20 + i, 11);
    r.id = static_cast<std::uint64_t>(i + 1);
    r.cell = cell.cell;
    log.on_record(r);
  }
  TrialEnd end;
  end.cell_key = "k";
  log.end_trial(end);
  log.end_cell({"k", true, "none"});
  return path;
}

TEST(ResultsFolder, RawLogIsReadAndItsResultsFileWrittenAsRunWritesIt) {
  const testsupport::TempDir dir;
  const fs::path log = write_raw_log(dir.path(), "sglang");
  const FolderReading reading = read_results_folder(dir.path());
  ASSERT_EQ(reading.frameworks.size(), 1u);
  const FrameworkResults& fw = reading.frameworks[0];
  EXPECT_EQ(fw.source, ResultsSource::raw_log);
  EXPECT_EQ(fw.key, "sglang_gpt-oss-20b");
  EXPECT_EQ(fw.source_file, "sglang/sglang_gpt-oss-20b_requests.jsonl");
  ASSERT_EQ(fw.cells.size(), 1u);
  EXPECT_EQ(fw.cells[0].rows.size(), 6u);
  EXPECT_TRUE(reading.skipped.empty());
  // The results file holds exactly what `run` writes from the same log.
  const fs::path results = dir.path() / "sglang" / "sglang_gpt-oss-20b_results.json";
  EXPECT_EQ(read(results), results_document_text(results_document(digest_log(log))));
  ASSERT_EQ(reading.messages.size(), 1u);
  EXPECT_NE(reading.messages[0].find("rewrote"), std::string::npos);
  // Unchanged the second time: nothing rewritten.
  EXPECT_TRUE(read_results_folder(dir.path()).messages.empty());
  // A hand-edited results file is put back from its log.
  write(results, "{\"schema_version\":2,\"results\":[]}");
  EXPECT_EQ(read_results_folder(dir.path()).messages.size(), 1u);
  EXPECT_EQ(read(results), results_document_text(results_document(digest_log(log))));
}

TEST(ResultsFolder, RunbookResultsAreReadWithWhatTheyLack) {
  const testsupport::TempDir dir;
  write(dir / "ollama/ollama_gpt-oss-20b_results.json", kRunbookResults);
  const FolderReading reading = read_results_folder(dir.path());
  ASSERT_EQ(reading.frameworks.size(), 1u);
  const FrameworkResults& fw = reading.frameworks[0];
  EXPECT_EQ(fw.source, ResultsSource::runbook_results);
  EXPECT_EQ(fw.key, "ollama_gpt-oss-20b");
  EXPECT_EQ(fw.model, "gpt-oss:20b");
  ASSERT_EQ(fw.cells.size(), 2u);
  EXPECT_EQ(fw.cells[0].label, "in=128,out=256");  // derived: the runbook has no labels
  EXPECT_EQ(fw.cells[1].label, "in=512,out=256,conc=16");
  EXPECT_EQ(fw.cells[0].trials.size(), 1u);
  EXPECT_DOUBLE_EQ(*fw.cells[0].trials[0][static_cast<std::size_t>(Metric::ttft_avg)], 45.23);
  // total_token_throughput means generated tokens per second, as in the runbook.
  EXPECT_DOUBLE_EQ(*fw.cells[0].trials[0][static_cast<std::size_t>(Metric::output_throughput)],
                   208.5);
  EXPECT_EQ(fw.cells[0].measured, 10u);
  EXPECT_EQ(fw.cells[0].succeeded, 9u);
  EXPECT_FALSE(fw.cells[0].rows_available);
  // A hand-edited value of the wrong type is left out and named.
  EXPECT_FALSE(fw.cells[1].trials[0][static_cast<std::size_t>(Metric::ttft_avg)]);
  bool named = false;
  for (const auto& p : fw.problems)
    named = named || p.find("'avg_ttft_ms' is a string") != std::string::npos;
  EXPECT_TRUE(named);
  // The entry that is not one is skipped, and the folder says so.
  ASSERT_EQ(reading.skipped.size(), 1u);
  EXPECT_NE(reading.skipped[0].reason.find("1 of its results entries"), std::string::npos);
  // What a runbook file cannot give is said.
  ASSERT_GE(fw.missing.size(), 2u);
  EXPECT_NE(fw.missing[0].find("per-request values"), std::string::npos);
  EXPECT_NE(fw.missing[1].find("no mean ± sd"), std::string::npos);
  // A runbook file is never overwritten.
  EXPECT_EQ(read(dir / "ollama/ollama_gpt-oss-20b_results.json"), kRunbookResults);
}

TEST(ResultsFolder, Schema1FilesOfEarlierVersionsAreRead) {
  const testsupport::TempDir dir;
  write(dir / "vllm/vllm_gpt-oss-20b_results.json", kSchema1Results);
  std::string lines;
  for (int i = 0; i < 6; ++i) lines += schema1_line(i + 1, i / 3, 10 + i);
  write(dir / "ollama/ollama_gpt-oss-20b_requests.jsonl", lines);
  const FolderReading reading = read_results_folder(dir.path());
  ASSERT_EQ(reading.frameworks.size(), 2u);
  EXPECT_TRUE(reading.skipped.empty());
  const FrameworkResults& vllm = reading.frameworks[0];
  EXPECT_EQ(vllm.framework, "vllm");
  EXPECT_EQ(vllm.source, ResultsSource::servemeter_results);
  EXPECT_EQ(vllm.model_preset, "gpt-oss-20b");
  EXPECT_EQ(vllm.model, "openai/gpt-oss-20b");
  EXPECT_TRUE(vllm.simulated);
  ASSERT_EQ(vllm.cells.size(), 1u);
  EXPECT_EQ(vllm.cells[0].trials.size(), 2u);
  EXPECT_EQ(vllm.cells[0].measured, 40u);

  // A schema-1 raw log has no run line: the folder names the framework.
  const FrameworkResults& ollama = reading.frameworks[1];
  EXPECT_EQ(ollama.framework, "ollama");
  EXPECT_EQ(ollama.key, "ollama_gpt-oss-20b");
  EXPECT_EQ(ollama.source, ResultsSource::raw_log);
  ASSERT_EQ(ollama.cells.size(), 1u);
  EXPECT_EQ(ollama.cells[0].trials.size(), 2u);
  EXPECT_EQ(ollama.cells[0].rows.size(), 6u);
  EXPECT_DOUBLE_EQ(ollama.cells[0].rows[2].ttft_ms, 12);
}

TEST(ResultsFolder, MalformedFilesAreNamedAndSkipped) {
  const testsupport::TempDir dir;
  write_raw_log(dir.path(), "sglang");
  write(dir / "vllm/vllm_x_results.json", "{\"results\": [1, 2");
  write(dir / "ollama/ollama_x_results.json", "[1, 2, 3]");
  write(dir / "llamacpp/llamacpp_x_results.json", "{\"framework\": \"llamacpp\"}");
  write(dir / "broken/broken_x_requests.jsonl", "not json\n{\"type\":\"mystery\"}\n");
  write(dir / "empty/empty_x_requests.jsonl", "");
  write(dir / "summary/all_results.json", "ignored: the summary is not an input");
  // A raw log with one bad line among good ones: read, and the bad line reported as skipped.
  const fs::path log = write_raw_log(dir.path(), "openai");
  std::ofstream(log, std::ios::app) << "{\"type\":\"request\",\"id\":\"seven\"}\n";

  const FolderReading reading = read_results_folder(dir.path());
  ASSERT_EQ(reading.frameworks.size(), 2u);
  EXPECT_EQ(reading.frameworks[0].framework, "sglang");
  EXPECT_EQ(reading.frameworks[1].framework, "openai");
  std::map<std::string, std::string> skipped;
  for (const auto& s : reading.skipped) skipped[s.file] = s.reason;
  ASSERT_EQ(skipped.size(), 6u);
  EXPECT_NE(skipped["vllm/vllm_x_results.json"].find("not JSON"), std::string::npos);
  EXPECT_NE(skipped["ollama/ollama_x_results.json"].find("not an object"), std::string::npos);
  EXPECT_NE(skipped["llamacpp/llamacpp_x_results.json"].find("no \"results\" array"),
            std::string::npos);
  EXPECT_NE(skipped["broken/broken_x_requests.jsonl"].find("no line of it could be read"),
            std::string::npos);
  EXPECT_NE(skipped["empty/empty_x_requests.jsonl"].find("empty"), std::string::npos);
  EXPECT_NE(skipped["openai/openai_gpt-oss-20b_requests.jsonl"].find("1 of its 11 lines"),
            std::string::npos);
}

TEST(ResultsFolder, MissingFolderIsAnError) {
  const testsupport::TempDir dir;
  EXPECT_THROW(read_results_folder(dir / "nope"), ReadError);
}

TEST(ResultsFolder, TheSameFrameworkAndModelTwiceKeepsTheFirst) {
  const testsupport::TempDir dir;
  write_raw_log(dir.path(), "sglang");
  const fs::path copy = dir / "sglang-old/sglang_gpt-oss-20b_requests.jsonl";
  fs::create_directories(copy.parent_path());
  fs::copy_file(dir / "sglang/sglang_gpt-oss-20b_requests.jsonl", copy);
  const FolderReading reading = read_results_folder(dir.path());
  ASSERT_EQ(reading.frameworks.size(), 1u);
  ASSERT_EQ(reading.skipped.size(), 1u);
  EXPECT_NE(reading.skipped[0].reason.find("same framework and model"), std::string::npos);
}

TEST(ResultsFolder, OtherModelsAreMergedButNotCompared) {
  const testsupport::TempDir dir;
  write_raw_log(dir.path(), "sglang");
  write_raw_log(dir.path(), "vllm");
  write(dir / "ollama/ollama_gpt-oss-20b_results.json", kRunbookResults);
  write(dir / "vllm/vllm_llama3.1-8b_results.json",
        std::string(kSchema1Results)
            .replace(std::string(kSchema1Results).find("\"gpt-oss-20b\""), 13, "\"llama3.1-8b\""));
  Comparison c = build_comparison(read_results_folder(dir.path()));
  EXPECT_EQ(c.model_preset, "gpt-oss-20b");
  ASSERT_EQ(c.frameworks.size(), 3u);
  ASSERT_EQ(c.other_models.size(), 1u);
  EXPECT_EQ(c.other_models[0].key, "vllm_llama3.1-8b");
  // The model ids differ: Ollama's GGUF build against the Hugging Face weights.
  ASSERT_FALSE(c.environment.model_notes.empty());
  EXPECT_NE(c.environment.model_notes[0].find("did not serve the same model build"),
            std::string::npos);
  EXPECT_NE(c.environment.model_notes[1].find("GGUF"), std::string::npos);
}

}  // namespace
}  // namespace servemeter
