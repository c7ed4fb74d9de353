#include "cli/run_options.h"

#include <CLI/CLI.hpp>
#include <cstdlib>

namespace servemeter {

void add_run_options(CLI::App& app, RunOptions& o) {
  if (const char* trials = std::getenv("BENCH_TRIALS"); trials && *trials) {
    char* end = nullptr;
    const long value = std::strtol(trials, &end, 10);
    if (*end == '\0' && value > 0) o.trials = static_cast<int>(value);
  }
  if (const char* key = std::getenv("OPENAI_API_KEY"); key) o.api_key = key;

  app.add_option("--framework", o.framework, "vllm, sglang, ollama, llamacpp or openai")
      ->capture_default_str();
  app.add_option("--model", o.model, "model preset (gpt-oss-20b, llama3.1-8b) or any model id")
      ->capture_default_str();
  app.add_option("--base-url", o.base_url,
                 "server root, e.g. http://127.0.0.1:8000 (default: the framework's port)");
  app.add_option("--api", o.api,
                 "openai-chat, openai-completions, ollama-chat, ollama-generate or "
                 "sglang-generate (default: the framework's)");
  app.add_option("--presets", o.presets_file, "presets YAML merged over the shipped ones");
  app.add_flag("--simulate", o.simulate,
               "start the framework's simulator in-process and benchmark it");
  app.add_option("--sim-time-scale", o.sim_time_scale,
                 "with --simulate: how many times faster than real time the simulator runs")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();

  app.add_option("--input-tokens", o.input_tokens, "prompt length in tokens")
      ->check(CLI::Range(1, 1'000'000))
      ->capture_default_str();
  app.add_option("--output-tokens", o.output_tokens, "max_tokens of every request")
      ->check(CLI::Range(1, 1'000'000))
      ->capture_default_str();
  app.add_option("--concurrency", o.concurrency, "closed loop: requests kept in flight")
      ->check(CLI::Range(1, 100'000))
      ->capture_default_str();
  app.add_option("--num-requests", o.num_requests, "measured requests per trial")
      ->check(CLI::Range(1, 10'000'000))
      ->capture_default_str();
  app.add_option("--warmup", o.warmup, "requests before each trial, excluded from figures")
      ->check(CLI::Range(0, 100'000))
      ->capture_default_str();
  app.add_option("--request-rate", o.request_rate, "open loop: target requests/s")
      ->check(CLI::PositiveNumber);
  app.add_option("--burstiness", o.burstiness, "open loop: gamma shape (1 = Poisson)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--max-concurrency", o.max_concurrency, "open loop: cap on requests in flight")
      ->check(CLI::Range(1, 100'000));
  app.add_option("--trials", o.trials, "repetitions of the cell (env BENCH_TRIALS)")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  app.add_option("--seed", o.seed, "seed of prompts and arrivals")->capture_default_str();
  app.add_flag("!--no-exact-output", o.exact_output,
               "do not ask the server for exactly --output-tokens tokens");
  app.add_option("--system-prompt", o.system_prompt, "system message sent with every request");

  app.add_option("--api-key", o.api_key, "bearer token (env OPENAI_API_KEY); never recorded");
  app.add_option("--cacert", o.ca_file,
                 "https://: trust the CA certificates in this PEM file (default: the system's)")
      ->check(CLI::ExistingFile);
  app.add_flag("--insecure", o.insecure,
               "https://: do not check the server's certificate (recorded in the results)");
  app.add_option("--request-timeout", o.request_timeout_s, "seconds per request")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--connect-timeout", o.connect_timeout_s, "seconds to connect")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--stall-timeout", o.stall_timeout_s,
                 "seconds without a byte before a request fails (0: off)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--wait-for-server", o.wait_for_server_s,
                 "seconds to keep retrying the health check")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--results-dir", o.results_dir, "where result files go")->capture_default_str();
  app.add_flag("!--no-progress", o.progress, "no progress display");
}

}  // namespace servemeter
