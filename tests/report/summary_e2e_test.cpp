// End to end: three simulated frameworks whose differences are known (SGLang's radix cache, vLLM
// with prefix caching off, Ollama one request at a time), measured through BenchmarkRun into raw
// logs with the runbook's scenario names, analysed, and the verdicts that must follow asserted.
// Then vLLM with prefix caching on: H1 must no longer be supported.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "analysis/comparison.h"
#include "orchestrate/benchmark_run.h"
#include "protocol/api_adapter.h"
#include "report/reporter.h"
#include "report/summary_charts.h"
#include "results/result_paths.h"
#include "sim/sim_server.h"
#include "support/temp_dir.h"
#include "telemetry/server_info.h"
#include "workload/prompt_synthesis.h"
#include "workload/synthetic_dataset.h"

namespace servemeter {
namespace {

namespace fs = std::filesystem;

// prefix_cache: one shared ~2,048-token system prompt and a different question per request
// (item = question index in send order); its control: a system prompt of its own per request.
class PrefixDataset final : public Dataset {
 public:
  explicit PrefixDataset(bool shared) : shared_(shared) {}
  std::string describe() const override { return shared_ ? "shared prefix" : "unique prefixes"; }
  void prompt(std::size_t index, int trial, Prompt& out) const override {
    out.system = synthesize_prompt(2048, shared_ ? 77 : 1000 + index + 100 * trial);
    out.user = synthesize_prompt(128, 5000 + index + 100 * static_cast<std::size_t>(trial));
    out.target_input_tokens = -1;
    out.item = static_cast<std::uint32_t>(index);
  }

 private:
  bool shared_;
};

// korean_ko / korean_en: the same five requests in either language, paired by item.
class LanguageDataset final : public Dataset {
 public:
  explicit LanguageDataset(bool korean) : korean_(korean) {}
  std::string describe() const override { return korean_ ? "Korean prompts" : "English prompts"; }
  void prompt(std::size_t index, int, Prompt& out) const override {
    static const char* const ko[] = {
        "하늘이 파란 이유를 짧게 설명해 주세요.",
        "가을 산책에 관한 짧은 수필을 써 주세요. 낙엽과 바람과 오후의 햇빛을 담아 주세요.",
        "데이터베이스 인덱스가 검색을 빠르게 만드는 원리를 기술적으로 설명해 주세요.",
        "다음 글을 세 문장으로 요약해 주세요: 작은 마을의 도서관은 매일 아침 문을 열고 "
        "아이들과 노인들이 함께 책을 읽는다.",
        "다음 문장을 영어로 번역해 주세요: 오늘은 비가 와서 집에서 차를 마셨다."};
    static const char* const en[] = {
        "Briefly explain why the sky is blue.",
        "Write a short essay about an autumn walk, with fallen leaves, wind and afternoon light.",
        "Explain technically how a database index makes lookups faster.",
        "Summarise the following in three sentences: the small town library opens every "
        "morning, and children and old people read books together.",
        "Translate the following sentence into Korean: it rained today, so I drank tea at "
        "home."};
    const std::size_t item = index % 5;
    out.system.clear();
    out.user = korean_ ? ko[item] : en[item];
    out.target_input_tokens = -1;
    out.item = static_cast<std::uint32_t>(item);
  }
  std::string items_json() const override {
    nlohmann::json items = nlohmann::json::array();
    const char* types[] = {"short_question", "essay", "technical", "summarize", "translate"};
    for (std::size_t i = 0; i < 5; ++i) {
      Prompt p;
      prompt(i, 0, p);
      std::size_t chars = 0;
      for (unsigned char ch : p.user) chars += (ch & 0xC0) != 0x80;
      items.push_back({{"id", "pair-" + std::to_string(i)},
                       {"type", types[i]},
                       {"lang", korean_ ? "ko" : "en"},
                       {"chars", chars}});
    }
    return items.dump();
  }

 private:
  bool korean_;
};

struct Target {
  std::string framework, profile, api;
  std::optional<bool> prefix_caching;
};

CellPlan plan(const std::string& scenario, const std::string& label,
              std::shared_ptr<const Dataset> dataset, int concurrency, int requests, int trials,
              int output_tokens) {
  CellPlan p;
  p.scenario = scenario;
  p.label = label;
  p.dataset = std::move(dataset);
  p.params = {{"concurrency", concurrency},
              {"num_requests", requests},
              {"output_tokens", output_tokens},
              {"warmup", 0},
              {"dataset", p.dataset->describe()}};
  p.num_requests = requests;
  p.trials = trials;
  p.load.mode = load::ClosedLoop{concurrency};
  p.shared.max_tokens = output_tokens;
  p.shared.exact_output_length = true;
  return p;
}

std::vector<CellPlan> prefix_cells() {
  return {plan("prefix_cache", "shared,out=4", std::make_shared<PrefixDataset>(true), 1, 15, 2, 4),
          plan("prefix_cache_control", "unique,out=4", std::make_shared<PrefixDataset>(false), 1,
               15, 2, 4)};
}

std::vector<CellPlan> load_cells() {
  std::vector<CellPlan> cells;
  auto single = plan("single_request", "in=128,out=16", std::make_shared<SyntheticDataset>(128, 1),
                     1, 8, 2, 16);
  single.params["input_tokens"] = 128;
  cells.push_back(single);
  for (const int conc : {1, 16}) {
    auto c = plan("concurrent_load", "in=128,out=16,conc=" + std::to_string(conc),
                  std::make_shared<SyntheticDataset>(128, 2), conc, 16, 3, 16);
    c.params["input_tokens"] = 128;
    cells.push_back(c);
  }
  cells.push_back(
      plan("korean_ko", "conc=1,out=8", std::make_shared<LanguageDataset>(true), 1, 10, 1, 8));
  cells.push_back(
      plan("korean_en", "conc=1,out=8", std::make_shared<LanguageDataset>(false), 1, 10, 1, 8));
  return cells;
}

void measure(const fs::path& results, const Target& t, std::vector<CellPlan> cells,
             double time_scale) {
  sim::SimOptions options;
  options.profile = t.profile;
  options.host = "127.0.0.1";
  options.port = 0;
  options.time_scale = time_scale;
  options.prefix_caching = t.prefix_caching;
  const auto server = sim::SimServer::start(options);
  const std::string base_url = "http://127.0.0.1:" + std::to_string(server->port());
  const std::string model =
      t.framework == "ollama" ? "llama3.1:8b" : "meta-llama/Llama-3.1-8B-Instruct";
  for (auto& c : cells) c.shared.model = model;
  const auto adapter = make_adapter(t.api);
  RunInfo run;
  run.run_id = t.framework + "-" + std::to_string(static_cast<int>(time_scale));
  run.framework = t.framework;
  run.model_preset = "llama3.1-8b";
  run.model = model;
  run.base_url = base_url;
  run.api = t.api;
  run.chat_endpoint = adapter->build_request(GenerationRequest{}).path;
  run.simulated = true;
  run.time_scale = time_scale;
  run.server_info =
      telemetry::server_info_json(telemetry::fetch_server_info(t.framework, base_url, model));
  for (auto& c : cells) c.shared.model = model;
  BenchmarkSettings settings;
  settings.progress = false;
  // The shipped presets' endpoints; the simulated vLLM serves its own in development mode only.
  const std::string flush_path = t.framework == "sglang" ? "/flush_cache"
                                 : t.framework == "vllm" ? "/reset_prefix_cache"
                                                         : "";
  ::setenv("VLLM_SERVER_DEV_MODE", "1", 1);
  BenchmarkRun benchmark({base_url, adapter.get(), {}, t.framework, flush_path}, run,
                         result_paths(results, t.framework, "llama3.1-8b"), settings);
  std::ostringstream lines;
  const BenchmarkOutcome outcome = benchmark.run(cells, lines);
  ASSERT_FALSE(outcome.stopped) << outcome.stop_detail;
  ASSERT_TRUE(outcome.results_failure.empty()) << outcome.results_failure;
}

const Target kSglang{"sglang", "sglang", "openai-chat", std::nullopt};
const Target kVllmNoCache{"vllm", "vllm", "openai-chat", false};
const Target kVllmCache{"vllm", "vllm", "openai-chat", true};
const Target kOllama{"ollama", "ollama", "ollama-chat", std::nullopt};

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class SummaryEndToEnd : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testsupport::TempDir;
    const fs::path results = dir_->path() / "a";
    measure(results, kSglang, prefix_cells(), 1);
    measure(results, kVllmNoCache, prefix_cells(), 1);
    for (const auto& t : {kSglang, kVllmNoCache, kOllama}) measure(results, t, load_cells(), 10);
  }
  static void TearDownTestSuite() {
    // SERVEMETER_E2E_KEEP=DIR keeps what was measured, for a look with `servemeter analyze`.
    if (const char* keep = std::getenv("SERVEMETER_E2E_KEEP"))
      fs::copy(dir_->path(), keep,
               fs::copy_options::recursive | fs::copy_options::overwrite_existing);
    delete dir_;
    dir_ = nullptr;
  }
  static testsupport::TempDir* dir_;
};
testsupport::TempDir* SummaryEndToEnd::dir_ = nullptr;

const HypothesisResult& find(const Comparison& c, const std::string& id) {
  for (const auto& h : c.hypotheses)
    if (h.id == id) return h;
  throw std::runtime_error(id);
}

TEST_F(SummaryEndToEnd, TheVerdictsThatFollowFromTheSettings) {
  const FolderReading reading = read_results_folder(dir_->path() / "a");
  // `run` wrote each results file from its log; analyze derives the same bytes: none rewritten.
  EXPECT_TRUE(reading.messages.empty()) << reading.messages.front();
  EXPECT_TRUE(reading.skipped.empty());
  const Comparison c = build_comparison(reading);
  ASSERT_EQ(c.frameworks.size(), 3u);
  EXPECT_TRUE(c.any_simulated);
  // SGLang caches the shared prefix, vLLM (caching off) prefills it every time.
  const auto& h1 = find(c, "H1");
  EXPECT_EQ(h1.verdict, Verdict::supported) << h1.reason;
  EXPECT_GT(h1.comparisons[0].ratio->value, 3) << h1.reason;
  // Ollama runs one request at a time: far less throughput at 16 clients, and latency grows.
  EXPECT_EQ(find(c, "H2").verdict, Verdict::supported) << find(c, "H2").reason;
  EXPECT_EQ(find(c, "H4").verdict, Verdict::supported) << find(c, "H4").reason;
  // Its prefill is four times slower: not within 1.25× of the best at concurrency 1.
  EXPECT_EQ(find(c, "H3").verdict, Verdict::not_supported) << find(c, "H3").reason;
  // Korean costs more tokens in every framework (the simulator's tokenizer).
  // ... and the simulators share one tokenizer, so the cost cannot differ between them.
  const auto& h5 = find(c, "H5");
  EXPECT_EQ(h5.verdict, Verdict::not_supported) << h5.reason;
  EXPECT_NE(h5.reason.find("Korean costs more tokens: supported"), std::string::npos) << h5.reason;
  for (const auto& k : c.korean) {
    ASSERT_TRUE(k.ratio);
    EXPECT_GT(*k.ratio, 1.2);
  }
  // Server versions come from what the simulators reported.
  for (const auto& f : c.environment.frameworks)
    EXPECT_FALSE(f.server_version.empty()) << f.framework;
  // Ollama's saturation: its throughput stops growing at once.
  ASSERT_EQ(c.saturation.size(), 3u);
}

TEST_F(SummaryEndToEnd, EveryChartIsWrittenAndValid) {
  const Comparison c = build_comparison(read_results_folder(dir_->path() / "a"));
  const fs::path summary = dir_->path() / "summary";
  fs::create_directories(summary);
  for (const auto format : kReportFormats) {
    const ReportOutput out = make_reporter(format)->write(c, summary);
    EXPECT_TRUE(out.problems.empty()) << format << ": " << out.problems.front();
  }
  for (const auto& [name, chart] : summary_charts(c)) {
    const std::string png = read(summary / "charts" / (name + ".png"));
    EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8)) << name;
    const std::string svg = read(summary / "charts" / (name + ".svg"));
    ASSERT_NE(svg.find("<desc>"), std::string::npos) << name;
    for (const auto& s : chart.series) EXPECT_NE(svg.find(s.name), std::string::npos) << name;
  }
  // The series each chart must have, from what was measured.
  const auto charts = summary_charts(c);
  const auto names = [&](const std::string& chart) {
    std::vector<std::string> out;
    for (const auto& [name, ch] : charts)
      if (name == chart)
        for (const auto& s : ch.series) out.push_back(s.name);
    return out;
  };
  EXPECT_EQ(names("throughput_vs_concurrency"),
            (std::vector<std::string>{"SGLang", "vLLM", "Ollama"}));
  EXPECT_EQ(names("prefix_cache_ttft_by_request"),
            (std::vector<std::string>{"SGLang shared prefix", "SGLang control",
                                      "vLLM shared prefix", "vLLM control"}));
  EXPECT_EQ(names("korean_vs_english_tokens"),
            (std::vector<std::string>{"한국어 (Korean)", "English"}));
  EXPECT_EQ(names("ttft_percentiles_vs_concurrency").size(), 9u);
  const std::string md = read(summary / "comparison.md");
  EXPECT_NE(md.find("SIMULATED RESULTS"), std::string::npos);
}

TEST_F(SummaryEndToEnd, H1IsNotSupportedWhenBothCache) {
  const fs::path results = dir_->path() / "b";
  fs::create_directories(results / "sglang");
  fs::copy_file(dir_->path() / "a/sglang/sglang_llama3.1-8b_requests.jsonl",
                results / "sglang/sglang_llama3.1-8b_requests.jsonl");
  measure(results, kVllmCache, prefix_cells(), 1);
  const Comparison c = build_comparison(read_results_folder(results));
  const auto& h1 = find(c, "H1");
  EXPECT_EQ(h1.verdict, Verdict::not_supported) << h1.reason;
  ASSERT_TRUE(h1.comparisons[0].ratio);
  EXPECT_LT(h1.comparisons[0].ratio->value, 1.2);
  // The other hypotheses lack their data, and say so rather than guess.
  EXPECT_EQ(find(c, "H2").verdict, Verdict::inconclusive);
  EXPECT_EQ(find(c, "H3").verdict, Verdict::inconclusive);
}

}  // namespace
}  // namespace servemeter
