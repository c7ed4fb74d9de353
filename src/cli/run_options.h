#pragma once
// Everything `servemeter run` takes from the command line and environment.
#include <optional>
#include <string>

namespace CLI {
class App;
}

namespace servemeter {

struct RunOptions {
  std::string framework = "vllm";
  std::string model = "llama3.1-8b";
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
  double burstiness = 1.0;
  std::optional<int> max_concurrency;
  int trials = 1;
  unsigned long long seed = 1;
  bool exact_output = true;
  std::string system_prompt;

  std::string api_key;
  std::string ca_file;    // --cacert: PEM bundle trusted for https://
  bool insecure = false;  // --insecure: no certificate check over https://
  double request_timeout_s = 300;
  double connect_timeout_s = 10;
  double stall_timeout_s = 120;
  double wait_for_server_s = 0;
  std::string results_dir = "results";
  bool progress = true;
};

// Registers the flags on the `run` subcommand; defaults from BENCH_TRIALS and OPENAI_API_KEY.
void add_run_options(CLI::App& app, RunOptions& options);

}  // namespace servemeter
