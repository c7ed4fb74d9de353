#include "cli/run_command.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cmath>
#include <ctime>
#include <iostream>
#include <memory>
#include <random>

#include "cli/command_line.h"
#include "cli/exit_codes.h"
#include "cli/interrupts.h"
#include "cli/run_plan.h"
#include "cli/version.h"
#include "core/data_dir.h"
#include "orchestrate/base_url.h"
#include "orchestrate/benchmark_run.h"
#include "orchestrate/health_check.h"
#include "orchestrate/input_calibration.h"
#include "orchestrate/presets.h"
#include "orchestrate/scenario_plan.h"
#include "orchestrate/served_models.h"
#include "protocol/api_adapter.h"
#include "results/atomic_file.h"
#include "results/result_paths.h"
#include "scenario/duration_estimate.h"
#include "sim/sim_server.h"
#include "telemetry/server_info.h"
#include "workload/text_tokenizer.h"
#include "workload/tokenizer.h"

namespace servemeter {
namespace {

// One line on stderr, prefixed so it stands out from progress output.
int fail(int code, const std::string& message) {
  std::cerr << "servemeter: " << message << "\n";
  return code;
}

std::string formatted_time(const char* format, bool utc) {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  if (utc) {
    gmtime_r(&now, &tm);
  } else {
    localtime_r(&now, &tm);
  }
  char text[32];
  std::strftime(text, sizeof text, format, &tm);
  return text;
}

std::string random_run_id() {
  std::random_device device;
  std::uniform_int_distribution<unsigned long long> digits;
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", digits(device));
  return text;
}

nlohmann::json slo_json(const std::vector<std::string>& slo) {
  if (slo.empty()) return nullptr;
  nlohmann::json out = nlohmann::json::object();
  for (const auto& item : slo) {
    const auto eq = item.find('=');
    out[item.substr(0, eq) + "_ms"] = std::strtod(item.substr(eq + 1).c_str(), nullptr);
  }
  return out;
}

nlohmann::json request_options(const RunOptions& o, const std::string& api) {
  return {{"api", api},
          {"temperature", 0.0},
          {"max_tokens", o.output_tokens},
          {"exact_output_length", o.exact_output},
          {"exact_output_method", api.rfind("ollama", 0) == 0 ? "options.num_predict"
                                  : api == "sglang-generate"  ? "ignore_eos + min_new_tokens"
                                                              : "ignore_eos + min_tokens"},
          {"stream_usage", "stream_options.include_usage"},
          {"request_timeout_s", o.request_timeout_s},
          {"connect_timeout_s", o.connect_timeout_s},
          {"stall_timeout_s", o.stall_timeout_s},
          {"grace_period_s", o.grace_period_s},
          {"api_key", o.api_key.empty() ? "none" : "sent (redacted)"},
          {"tls_verify", !o.insecure},
          {"ca_file", o.ca_file.empty() ? nlohmann::json(nullptr) : nlohmann::json(o.ca_file)}};
}

http::ClientOptions client_options(const RunOptions& o) {
  http::ClientOptions client;
  client.api_key = o.api_key;
  client.tls = {!o.insecure, o.ca_file};
  client.request_timeout = std::chrono::milliseconds(std::llround(o.request_timeout_s * 1000));
  client.connect_timeout = std::chrono::milliseconds(std::llround(o.connect_timeout_s * 1000));
  client.stall_timeout = std::chrono::seconds(std::llround(o.stall_timeout_s));
  client.max_event_bytes = o.max_event_bytes;
  return client;
}

// The most requests a cell keeps in flight, hence connections (file descriptors).
long peak_in_flight(const CellSpec& cell) {
  if (cell.concurrency) return *cell.concurrency;
  if (cell.max_concurrency) return *cell.max_concurrency;
  return cell.warmup + cell.num_requests;  // uncapped open loop: at worst all at once
}

long peak_in_flight(const std::vector<ScenarioSpec>& scenarios) {
  long peak = 1;
  for (const auto& s : scenarios)
    for (const auto& c : s.cells) peak = std::max(peak, peak_in_flight(c));
  return peak;
}

// Thousands of concurrent streams need as many sockets; the soft limit is often 1,024. Returns
// a message when even the hard limit is too low.
std::string check_open_files(long in_flight) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return {};
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    getrlimit(RLIMIT_NOFILE, &limit);
  }
  constexpr long kReserve = 64;  // log files, the simulator, curl's own
  const long needed = in_flight + kReserve;
  if (limit.rlim_cur == RLIM_INFINITY || static_cast<long>(limit.rlim_cur) >= needed) return {};
  return "this run keeps up to " + std::to_string(in_flight) +
         " requests in flight and needs about " + std::to_string(needed) +
         " open files, but this process may open only " + std::to_string(limit.rlim_cur) +
         " (ulimit -n; hard limit " + std::to_string(limit.rlim_max) +
         "). Lower the concurrency, or raise the limit (e.g. `ulimit -n 65536`, or "
         "LimitNOFILE= for a systemd service)";
}

// Everything the results need, checked before anything is measured.
std::string check_outputs(const ResultPaths& paths) {
  try {
    ensure_writable_folder(paths.folder);
  } catch (const OutputError& e) {
    return e.what();
  }
  std::error_code ec;
  for (const auto& file : {paths.results_json, paths.requests_jsonl})
    if (std::filesystem::is_directory(file, ec))
      return "cannot write " + file.string() +
             ": it is a directory; remove it or choose another --results-dir";
  return {};
}

int finish(const BenchmarkOutcome& outcome, const ResultPaths& paths) {
  if (!outcome.log_fallback.empty())
    std::cerr << "servemeter: the raw log could not be written to " << paths.requests_jsonl
              << "; it continues, whole, in " << outcome.log_fallback << "\n";
  if (!outcome.results_failure.empty()) {
    return fail(exit_code::kOutputUnwritable, outcome.results_failure +
                                                  "; the results were written to " +
                                                  outcome.results_written.string() + " instead");
  }
  std::cout << "results: " << outcome.results_written.string() << "\n";
  if (outcome.stop_reason == load::StopReason::interrupted) {
    std::size_t done = 0;
    for (const auto& c : outcome.cells) done += c.skipped ? 0 : 1;
    const int code = interrupt_exit_code() != 0 ? interrupt_exit_code() : exit_code::kInterrupted;
    return fail(code, "interrupted: what was measured is in " + paths.results_json.string() +
                          " (the interrupted cell is marked incomplete); run the same command "
                          "with --resume to measure what is left");
  }
  if (outcome.stop_reason == load::StopReason::server_gone)
    return fail(exit_code::kServerWentAway,
                "the server stopped accepting connections during the run (" + outcome.stop_detail +
                    "); it went away or crashed — see its log. What was measured is in " +
                    paths.results_json.string() + "; restart the server and use --resume");
  if (outcome.stop_reason == load::StopReason::client_out_of_files)
    return fail(exit_code::kUsage, outcome.stop_detail +
                                       "; lower the concurrency or raise the open-files limit "
                                       "(ulimit -n)");
  for (const auto& cell : outcome.cells)
    if (!cell.skipped && !cell.any_success)
      return fail(exit_code::kAllRequestsFailed, "no measured request of [" + cell.scenario + "] " +
                                                     cell.label + " succeeded; see the errors in " +
                                                     paths.requests_jsonl.string());
  return exit_code::kOk;
}

// A cell whose prompt cannot fit the server's context would fail every request: say so first.
std::string check_context(const std::vector<ScenarioSpec>& scenarios, std::optional<int> context) {
  if (!context) return {};
  for (const auto& scenario : scenarios)
    for (const auto& cell : scenario.cells) {
      const int needed = typical_input_tokens(cell) + cell.output_tokens;
      if (needed > *context)
        return "cell [" + cell.result_name + "] " + cell.label + " needs about " +
               std::to_string(needed) + " tokens of context (input " +
               std::to_string(typical_input_tokens(cell)) + " + output " +
               std::to_string(cell.output_tokens) + "), but the server's context is " +
               std::to_string(*context) +
               " tokens (its max_model_len): start the server with a longer context, or leave "
               "the cell out";
    }
  return {};
}

}  // namespace

int load_cli_presets(const std::string& presets_file, Presets& presets) {
  try {
    std::vector<std::filesystem::path> overrides;
    if (const auto user = user_presets_file()) overrides.push_back(*user);
    if (!presets_file.empty()) overrides.emplace_back(presets_file);
    presets = load_presets(data_dir() / "frameworks.yaml", overrides);
  } catch (const PresetError& e) {
    return fail(exit_code::kPresetError, e.what());
  }
  return exit_code::kOk;
}

int run_command(RunOptions& o, const std::string& command_line, const GivenFlags& given) {
  if (const std::string problem = validate_run_options(o, given); !problem.empty())
    return fail(exit_code::kUsage, problem);
  std::vector<ScenarioSpec> scenarios;
  try {
    scenarios = selected_scenarios(o);
  } catch (const ScenarioError& e) {
    return fail(exit_code::kUsage, e.what());
  }
  Presets presets;
  if (const int code = load_cli_presets(o.presets_file, presets); code != exit_code::kOk)
    return code;
  return run_framework(o, presets, scenarios, command_line);
}

int run_framework(RunOptions& o, const Presets& presets, const std::vector<ScenarioSpec>& scenarios,
                  const std::string& command_line) {
  const FrameworkPreset* preset = presets.framework(o.framework);
  if (!preset)
    return fail(exit_code::kUsage, "unknown framework '" + o.framework + "': choose one of " +
                                       presets.framework_names() +
                                       " (or add it to a --presets file)");
  const std::string api = o.api.empty() ? preset->api : o.api;
  const std::unique_ptr<ApiAdapter> adapter = make_adapter(api);
  if (!adapter)
    return fail(exit_code::kUsage,
                "unknown API '" + api + "': choose one of " + std::string(known_apis()));
  const std::string model_id = presets.resolve_model(o.model, o.framework);

  if (!o.base_url.empty() && o.simulate)
    return fail(exit_code::kUsage, "--simulate starts its own server: drop --base-url '" +
                                       redact_url_password(o.base_url) + "' or drop --simulate");
  if (o.base_url.empty() && preset->port == 0 && !o.simulate)
    return fail(exit_code::kUsage, "framework '" + o.framework +
                                       "' has no default port: give --base-url http://HOST:PORT");
  if (!o.base_url.empty()) {
    std::string why;
    if (!parse_base_url(o.base_url, why))
      return fail(exit_code::kUsage,
                  "malformed --base-url '" + redact_url_password(o.base_url) + "': " + why);
  }

  const ResultPaths paths = result_paths(o.results_dir, o.framework, o.model);
  if (const std::string problem = check_outputs(paths); !problem.empty())
    return fail(exit_code::kOutputUnwritable, problem);
  if (const std::string problem = check_open_files(peak_in_flight(scenarios)); !problem.empty())
    return fail(exit_code::kUsage, problem);
  install_interrupt_handlers();

  std::unique_ptr<TextTokenizer> tokenizer;
  try {
    tokenizer = find_text_tokenizer(o.tokenizer, o.model, model_id);
  } catch (const TokenizerError& e) {
    return fail(exit_code::kUsage, std::string(e.what()) +
                                       " (give the model's tokenizer.json with --tokenizer, or "
                                       "leave --tokenizer out to use the approximate one)");
  }

  std::unique_ptr<sim::SimServer> simulator;
  std::string base_url = o.base_url;
  if (o.simulate) {
    sim::SimOptions sim_options;
    sim_options.profile = preset->sim_profile;
    sim_options.model = model_id;
    sim_options.time_scale = o.sim_time_scale;
    sim_options.seed = o.seed;
    sim_options.tokenizer = tokenizer->file().string();  // counts prompts as the run does
    try {
      simulator = sim::SimServer::start(sim_options);
    } catch (const std::exception& e) {
      return fail(exit_code::kSimulatorError, std::string("simulator did not start: ") + e.what());
    }
    base_url = "http://127.0.0.1:" + std::to_string(simulator->port());
  } else if (base_url.empty()) {
    base_url = "http://127.0.0.1:" + std::to_string(preset->port);
  }
  std::string why;
  const auto parsed_url = parse_base_url(base_url, why);
  if (!parsed_url)
    return fail(exit_code::kUsage,
                "malformed --base-url '" + redact_url_password(base_url) + "': " + why);
  base_url = parsed_url->normalized;
  const std::string shown_url = redact_url_password(base_url);

  const http::ClientOptions client = client_options(o);
  HealthOptions health_options;
  health_options.api_key = o.api_key;
  health_options.tls = client.tls;
  health_options.wait_s = o.wait_for_server_s;
  health_options.stop = interrupt_level();
  const HealthResult health = check_health(base_url, preset->health_path, health_options);
  if (interrupted())
    return fail(interrupt_exit_code(), "interrupted before the run started; nothing measured");
  if (!health.healthy && health.untrusted_certificate())
    return fail(exit_code::kServerUnavailable,
                "the server at " + shown_url + " presented a TLS certificate we do not trust (" +
                    health.describe() +
                    "). Pass --cacert FILE with the CA that signed it, or --insecure to skip the "
                    "check");
  if (!health.healthy && health.needs_api_key())
    return fail(exit_code::kServerUnavailable,
                "the server at " + shown_url + " wants an API key (" + health.describe() + "). " +
                    (o.api_key.empty() ? "Pass --api-key KEY (or set OPENAI_API_KEY)"
                                       : "It rejected the key given: check --api-key / "
                                         "OPENAI_API_KEY"));
  if (!health.healthy) {
    const std::string command = presets.start_command(*preset, model_id);
    const std::string pull = preset->model_source == ModelSource::ollama
                                 ? " (then pull the model: ollama pull " + model_id + ")"
                                 : "";
    return fail(exit_code::kServerUnavailable,
                "no " + o.framework + " server answering at " + shown_url + " (" +
                    health.describe() + "). " +
                    (command.empty() ? "Start it" : "Start it with: " + command + pull + " —") +
                    " or point --base-url at the running server");
  }
  if (preset->model_check) {
    bool unauthorized = false;
    const auto served = served_models(base_url, o.api_key, client.tls, 5000, &unauthorized);
    if (!served && unauthorized)
      return fail(exit_code::kServerUnavailable,
                  "the server at " + shown_url + " answers its health check but wants an API key " +
                      "for its model list (HTTP 401/403). " +
                      (o.api_key.empty() ? "Pass --api-key KEY (or set OPENAI_API_KEY)"
                                         : "It rejected the key given: check --api-key"));
    if (served && !model_is_served(model_id, *served)) {
      std::string list;
      for (const auto& m : *served) list += (list.empty() ? "" : ", ") + m;
      return fail(exit_code::kModelNotServed,
                  "the server at " + shown_url + " does not serve model '" + model_id +
                      "' (it serves: " + list + "); pass one of those with --model");
    }
  }

  if (const std::string problem = check_context(
          scenarios, served_context_length(base_url, model_id, o.api_key, client.tls));
      !problem.empty())
    return fail(exit_code::kUsage, problem);

  // Where the framework empties its prefix cache: the preset's cache_flush_path (SGLang
  // /flush_cache, vLLM /reset_prefix_cache).
  const BenchmarkTarget target{base_url, adapter.get(), client, o.framework,
                               preset->cache_flush_path};
  PlanInputs inputs;
  inputs.model_id = model_id;
  inputs.trials = o.trials;
  inputs.seed = o.seed;
  inputs.exact_output = o.exact_output;
  inputs.slo = slo_json(o.slo);
  inputs.set_context_length = api.rfind("ollama", 0) == 0;
  inputs.tokenizer = tokenizer.get();
  if (!o.dry_run)  // a dry run sends nothing, not even the two probes
    inputs.calibrate = [&](const std::string& system_prompt, const TokenizedCorpus& corpus) {
      return calibrate_input_tokens(target, model_id, *tokenizer, corpus, system_prompt);
    };
  std::vector<CellPlan> cells;
  try {
    cells = expand_scenarios(scenarios, inputs);
  } catch (const DatasetError& e) {
    return fail(exit_code::kUsage, e.what());
  }
  const double time_scale = o.simulate ? o.sim_time_scale : health.time_scale;
  print_plan(std::cerr, scenarios, o.framework, o.trials, time_scale);
  if (o.dry_run) return exit_code::kOk;

  RunInfo run;
  run.run_id = random_run_id();
  run.tool_version = std::string(kVersion);
  run.command_line = command_line;
  run.framework = o.framework;
  run.model_preset = o.model;
  run.model = model_id;
  run.base_url = shown_url;
  run.api = api;
  run.chat_endpoint = adapter->build_request(GenerationRequest{}).path;
  run.simulated = o.simulate || health.simulated;
  run.time_scale = time_scale;
  run.timestamp = formatted_time("%Y-%m-%d %H:%M:%S", false);
  run.started_at_utc = formatted_time("%Y-%m-%dT%H:%M:%SZ", true);
  run.request_options = request_options(o, api);
  {
    telemetry::TelemetryHttpOptions http;
    http.api_key = o.api_key;
    http.tls = client.tls;
    run.server_info = telemetry::server_info_json(
        telemetry::fetch_server_info(o.framework, base_url, model_id, http));
  }
  run.request_options["tokenizer"] = tokenizer->describe();
  run.request_options["tokenizer_exact"] = tokenizer->exact();

  BenchmarkSettings settings;
  settings.progress = o.progress;
  settings.stop.level = interrupt_level();
  settings.stop.grace_ns = std::llround(o.grace_period_s * 1e9);
  settings.resume = o.resume;
  try {
    BenchmarkRun benchmark(target, run, paths, settings);
    const BenchmarkOutcome outcome = benchmark.run(cells, std::cout);
    return finish(outcome, paths);
  } catch (const OutputError& e) {
    return fail(exit_code::kOutputUnwritable, e.what());
  }
}

}  // namespace servemeter
