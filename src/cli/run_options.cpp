#include "cli/run_options.h"

#include <CLI/CLI.hpp>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <utility>

#include "core/text.h"

namespace servemeter {
namespace {

// CLI11's number checks let NaN through (every comparison with NaN is false); a NaN or infinite
// rate or timeout is never what the user meant.
const CLI::Validator kFinite(
    [](std::string& text) -> std::string {
      char* end = nullptr;
      const double value = std::strtod(text.c_str(), &end);
      if (end == text.c_str() || *end != '\0') return "'" + text + "' is not a number";
      if (!std::isfinite(value)) return "'" + text + "' is not a finite number";
      return {};
    },
    "FINITE");

constexpr int kMaxTrials = 1000;

}  // namespace

void add_run_options(CLI::App& app, RunOptions& o) {
  if (const char* trials = std::getenv("BENCH_TRIALS"); trials != nullptr)
    o.bench_trials_env = trials;
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
      ->check(kFinite & CLI::PositiveNumber)
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
      ->check(CLI::Range(1, 100'000'000))
      ->capture_default_str();
  app.add_option("--warmup", o.warmup, "requests before each trial, excluded from figures")
      ->check(CLI::Range(0, 100'000))
      ->capture_default_str();
  app.add_option("--request-rate", o.request_rate, "open loop: target requests/s")
      ->check(kFinite & CLI::PositiveNumber);
  app.add_option("--burstiness", o.burstiness,
                 "open loop: gamma shape of the arrivals (1 = Poisson); needs --request-rate")
      ->check(kFinite & CLI::PositiveNumber);
  app.add_option("--max-concurrency", o.max_concurrency,
                 "open loop: cap on requests in flight; needs --request-rate")
      ->check(CLI::Range(1, 100'000));
  app.add_option("--trials", o.trials, "repetitions of the cell (env BENCH_TRIALS)")
      ->check(CLI::Range(1, kMaxTrials))
      ->capture_default_str();
  app.add_option("--seed", o.seed, "seed of prompts and arrivals")->capture_default_str();
  app.add_flag("!--no-exact-output", o.exact_output,
               "do not ask the server for exactly --output-tokens tokens");
  app.add_option("--system-prompt", o.system_prompt, "system message sent with every request");
  app.add_option("--slo", o.slo,
                 "goodput objectives, e.g. ttft=500,tpot=50,e2el=10000 (ms; any subset)")
      ->delimiter(',');

  app.add_option("--api-key", o.api_key, "bearer token (env OPENAI_API_KEY); never recorded");
  app.add_option("--cacert", o.ca_file,
                 "https://: trust the CA certificates in this PEM file (default: the system's)")
      ->check(CLI::ExistingFile);
  app.add_flag("--insecure", o.insecure,
               "https://: do not check the server's certificate (recorded in the results)");
  app.add_option("--request-timeout", o.request_timeout_s, "seconds per request")
      ->check(kFinite & CLI::Range(0.001, 86'400.0))
      ->capture_default_str();
  app.add_option("--connect-timeout", o.connect_timeout_s, "seconds to connect")
      ->check(kFinite & CLI::Range(0.001, 3'600.0))
      ->capture_default_str();
  app.add_option("--stall-timeout", o.stall_timeout_s,
                 "seconds without a byte before a request fails (0: off)")
      ->check(kFinite & CLI::Range(0.0, 86'400.0))
      ->capture_default_str();
  app.add_option("--wait-for-server", o.wait_for_server_s,
                 "seconds to keep retrying the health check")
      ->check(kFinite & CLI::Range(0.0, 86'400.0))
      ->capture_default_str();
  app.add_option("--grace-period", o.grace_period_s,
                 "after Ctrl-C/SIGTERM: seconds requests in flight get before they are cancelled")
      ->check(kFinite & CLI::Range(0.0, 3'600.0))
      ->capture_default_str();
  app.add_option("--max-event-bytes", o.max_event_bytes,
                 "longest stream line or event accepted; a longer one fails its request as "
                 "oversized (default 4 MiB)")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 30))
      ->capture_default_str();
  app.add_option("--results-dir", o.results_dir, "where result files go")->capture_default_str();
  app.add_flag("!--no-progress", o.progress, "no progress display");
  app.add_flag("--resume", o.resume,
               "skip the cells already measured with the same parameters in the results");
  app.add_option("--scenario", o.scenario,
                 "built-in scenarios: all, or a comma list of single, concurrent, long_context, "
                 "prefix_cache, korean (see `servemeter scenarios`)");
  app.add_option("--scenario-file", o.scenario_files, "a scenario file of your own (YAML)");
  app.add_option("--tokenizer", o.tokenizer,
                 "the model's tokenizer.json, for exact prompt lengths (default: the preset's or "
                 "the Hugging Face cache's)");
  app.add_flag("--dry-run", o.dry_run, "print the plan (cells, requests, time) and stop");
}

const std::vector<std::string>& custom_cell_flags() {
  static const std::vector<std::string> flags = {
      "--input-tokens", "--output-tokens", "--concurrency",     "--num-requests", "--warmup",
      "--request-rate", "--burstiness",    "--max-concurrency", "--system-prompt"};
  return flags;
}

std::string validate_run_options(RunOptions& o, const GivenFlags& given) {
  if ((!o.scenario.empty() || !o.scenario_files.empty()) && !given.custom_cell.empty())
    return given.custom_cell.front() +
           " describes the custom cell, but --scenario/--scenario-file run the scenario's own "
           "cells: drop " +
           given.custom_cell.front() + ", or drop the scenario and run the custom cell";
  if (o.bench_trials_env && !given.trials) {
    const std::string& text = *o.bench_trials_env;
    int value = 0;
    const auto r = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || r.ec != std::errc() || r.ptr != text.data() + text.size() || value < 1 ||
        value > kMaxTrials)
      return "BENCH_TRIALS='" + text + "' is not a whole number from 1 to " +
             std::to_string(kMaxTrials) + "; set it to e.g. 3, or unset it";
    o.trials = value;
  }
  if (!o.request_rate) {
    if (o.burstiness)
      return "--burstiness shapes the arrivals of an open-loop run: give --request-rate too, or "
             "drop --burstiness";
    if (o.max_concurrency)
      return "--max-concurrency caps an open-loop run: give --request-rate too, or use "
             "--concurrency for a closed loop";
  }
  // Both go into every request's JSON body (and the model into the results): text that is not
  // UTF-8 cannot be sent as JSON, so it is refused here rather than aborting the run.
  for (const auto& [flag, value] :
       {std::pair<const char*, const std::string*>{"--model", &o.model},
        std::pair<const char*, const std::string*>{"--system-prompt", &o.system_prompt}})
    if (!is_valid_utf8(*value))
      return std::string(flag) + " '" + valid_utf8(*value, 200) +
             "' is not valid UTF-8 (each bad byte shown as U+FFFD): requests carry it as JSON "
             "text, "
             "so give it in UTF-8";
  for (const auto& item : o.slo) {
    const auto eq = item.find('=');
    const std::string name = item.substr(0, eq);
    if (eq == std::string::npos || (name != "ttft" && name != "tpot" && name != "e2el"))
      return "--slo '" + item + "': expected ttft=MS, tpot=MS or e2el=MS";
    char* end = nullptr;
    const std::string value = item.substr(eq + 1);
    const double ms = std::strtod(value.c_str(), &end);
    if (value.empty() || *end != '\0' || !std::isfinite(ms) || ms <= 0)
      return "--slo '" + item + "': '" + value + "' is not a positive number of milliseconds";
  }
  return {};
}

}  // namespace servemeter
