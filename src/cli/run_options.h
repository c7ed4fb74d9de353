#pragma once
// Everything `servemeter run` takes from the command line and environment.
#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace servemeter {

struct RunOptions {
  std::string framework = "vllm";
  std::string model = "gpt-oss-20b";
  std::string base_url;  // empty: http://127.0.0.1:<preset port>
  std::string api;       // empty: the preset's
  std::string presets_file;
  bool simulate = false;
  double sim_time_scale = 20;

  int input_tokens = 512;
  int output_tokens = 256;
  int concurrency = 1;
  int num_requests = 10;
  int warmup = 3;
  std::optional<double> request_rate;
  std::optional<double> burstiness;
  std::optional<int> max_concurrency;
  int trials = 1;
  unsigned long long seed = 1;
  bool exact_output = true;
  std::string system_prompt;
  std::vector<std::string> slo;  // ttft=MS, tpot=MS, e2el=MS

  std::string api_key;
  std::string ca_file;    // --cacert: PEM bundle trusted for https://
  bool insecure = false;  // --insecure: no certificate check over https://
  double request_timeout_s = 300;
  double connect_timeout_s = 10;
  double stall_timeout_s = 120;
  double wait_for_server_s = 0;
  double grace_period_s = 5;
  std::size_t max_event_bytes = 4u << 20;  // a longer SSE line/event or NDJSON line: `oversized`
  std::string results_dir = "results";
  bool progress = true;
  bool resume = false;
  bool dry_run = false;

  // Scenarios: built-in names ("all", "single,korean") and/or the user's files. Neither: the
  // custom cell the flags above describe.
  std::string scenario;
  std::vector<std::string> scenario_files;
  std::string tokenizer;  // a tokenizer.json; default: the model's, found or fetched

  // BENCH_TRIALS as read from the environment, when it was set (validated after parsing).
  std::optional<std::string> bench_trials_env;
};

// Registers the flags on the `run` subcommand; defaults from OPENAI_API_KEY; BENCH_TRIALS is
// kept for validate_run_options.
void add_run_options(CLI::App& app, RunOptions& options);

// Checks what the flags alone cannot: BENCH_TRIALS, combinations (--burstiness without
// --request-rate…), SLO syntax. Applies BENCH_TRIALS when --trials was not given. Returns the
// first problem in words, or an empty string.
// `given` tells which flags were on the command line (CLI11's count).
struct GivenFlags {
  bool trials = false;
  std::vector<std::string> custom_cell;  // custom-cell flags given (--concurrency, …)
};
std::string validate_run_options(RunOptions& options, const GivenFlags& given);

// The flags that describe the custom cell, which a scenario replaces.
const std::vector<std::string>& custom_cell_flags();

}  // namespace servemeter
