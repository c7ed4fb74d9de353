#pragma once
// Options of `servemeter sim`: which server to imitate, where to listen, how fast to run, which
// faults to inject. Filled by CLI11 (add_sim_options) or directly by tests.
#include <cstdint>
#include <optional>
#include <string>

namespace CLI {
class App;
}

namespace servemeter::sim {

struct SimOptions {
  std::string profile = "vllm";  // vllm | sglang | ollama | llamacpp
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0: the OS picks a free port (printed on the first line)
  bool allow_remote = false;
  std::string model;          // empty: the profile's default model
  std::string profiles_file;  // empty: the data/sim_profiles.yaml shipped with the tool
  double time_scale = 1.0;    // > 1 runs faster; reported durations stay in model time
  std::uint64_t seed = 42;
  int events_per_write = 1;  // token events gathered into one chunk / one socket write
  // Fixed timing mode (both set, >= 0): every request gets TTFT then one token every itl-ms, no
  // matter the load. For measuring the client, not the server.
  std::optional<double> ttft_ms;
  std::optional<double> itl_ms;
  std::string truth_log;  // empty: none
  std::string tokenizer;  // the model's tokenizer.json; empty: approximate token counts

  // Faults.
  int fault_status = 0;         // 429, 500 or 503; 0: none
  double fault_rate = 0.0;      // fraction of generation requests answered with fault_status
  int retry_after_s = 0;        // Retry-After on those answers (a proxy's, an API's); 0: none
  double stall_ms = 0.0;        // pause the stream this long ...
  int stall_after = 1;          // ... once this many tokens were sent
  int disconnect_after = -1;    // close the connection after this many tokens; -1: never
  double malformed_rate = 0.0;  // fraction of streams that carry one malformed event
  double loading_s = 0.0;       // health (and generation) answer 503 this long after start

  // Model overrides (unset: the profile's value).
  std::optional<int> max_running;
  std::optional<bool> prefix_caching;  // vLLM: --enable-prefix-caching (default on)
  std::optional<int> context_length;
};

// Registers the flags above on `app` (the `servemeter sim` subcommand), bound to `options`.
void add_sim_options(CLI::App& app, SimOptions& options);

// Runs the simulator until SIGINT/SIGTERM. Prints `listening on HOST:PORT` first (flushed).
// Returns 0 on a clean stop, 2 for invalid options, 1 when the server could not start.
int run_sim(const SimOptions& options);

}  // namespace servemeter::sim
