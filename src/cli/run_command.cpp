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
#include "cli/version.h"
#include "orchestrate/base_url.h"
#include "orchestrate/benchmark_run.h"
#include "orchestrate/health_check.h"
#include "core/data_dir.h"
#include "orchestrate/presets.h"
#include "orchestrate/served_models.h"
#include "protocol/api_adapter.h"
#include "results/atomic_file.h"
#include "results/result_paths.h"
#include "sim/sim_server.h"
#include "workload/synthetic_dataset.h"

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

std::string format_rate(double rate) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", rate);
  return text;
}

std::string cell_label(const RunOptions& o) {
  std::string label =
      "in=" + std::to_string(o.input_tokens) + ",out=" + std::to_string(o.output_tokens);
  if (o.request_rate) label += ",rate=" + format_rate(*o.request_rate);
  return label;
}

nlohmann::json slo_json(const std::vector<std::string>& slo) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& item : slo) {
    const auto eq = item.find('=');
    out[item.substr(0, eq) + "_ms"] = std::strtod(item.substr(eq + 1).c_str(), nullptr);
  }
  return out;
}

nlohmann::json cell_params(const RunOptions& o, const Dataset& dataset) {
  nlohmann::json params = {{"input_tokens", o.input_tokens},
                           {"output_tokens", o.output_tokens},
                           {"num_requests", o.num_requests},
                           {"warmup", o.warmup},
                           {"seed", o.seed},
                           {"dataset", dataset.describe()},
                           {"exact_output_length", o.exact_output}};
  if (!o.system_prompt.empty()) params["system_prompt"] = o.system_prompt;
  if (o.request_rate) {
    params["request_rate"] = *o.request_rate;
    params["burstiness"] = o.burstiness.value_or(1.0);
    params["concurrency"] =
        o.max_concurrency ? nlohmann::json(*o.max_concurrency) : nlohmann::json(nullptr);
  } else {
    params["concurrency"] = o.concurrency;
  }
  if (!o.slo.empty()) params["slo"] = slo_json(o.slo);
  return params;
}

// The one cell of `servemeter run --input-tokens …`.
CellPlan custom_cell(const RunOptions& o, const std::string& model_id) {
  CellPlan plan;
  plan.scenario = "custom";
  plan.label = cell_label(o);
  plan.dataset = std::make_shared<SyntheticDataset>(static_cast<std::size_t>(o.input_tokens),
                                                    o.seed, o.system_prompt);
  plan.params = cell_params(o, *plan.dataset);
  plan.warmup = o.warmup;
  plan.num_requests = o.num_requests;
  plan.trials = o.trials;
  plan.load.seed = o.seed;
  if (o.request_rate)
    plan.load.mode =
        load::OpenLoop{*o.request_rate, o.burstiness.value_or(1.0), o.max_concurrency.value_or(0)};
  else
    plan.load.mode = load::ClosedLoop{o.concurrency};
  plan.shared.model = model_id;
  plan.shared.max_tokens = o.output_tokens;
  plan.shared.exact_output_length = o.exact_output;
  return plan;
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
  return client;
}

// The most requests this run keeps in flight, hence connections (file descriptors).
long peak_in_flight(const RunOptions& o) {
  if (!o.request_rate) return o.concurrency;
  if (o.max_concurrency) return *o.max_concurrency;
  return o.num_requests;  // uncapped open loop: at worst every request at once
}

// Thousands of concurrent streams need as many sockets; the soft limit is often 1,024. Returns
// a message when even the hard limit is too low.
std::string check_open_files(const RunOptions& o) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return {};
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    getrlimit(RLIMIT_NOFILE, &limit);
  }
  constexpr long kReserve = 64;  // log files, the simulator, curl's own
  const long needed = peak_in_flight(o) + kReserve;
  if (limit.rlim_cur == RLIM_INFINITY || static_cast<long>(limit.rlim_cur) >= needed) return {};
  return "this run keeps up to " + std::to_string(peak_in_flight(o)) +
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

}  // namespace

int run_command(RunOptions& o, const std::string& command_line, bool trials_flag_given) {
  if (const std::string problem = validate_run_options(o, trials_flag_given); !problem.empty())
    return fail(exit_code::kUsage, problem);
  Presets presets;
  try {
    std::vector<std::filesystem::path> overrides;
    if (const auto user = user_presets_file()) overrides.push_back(*user);
    if (!o.presets_file.empty()) overrides.emplace_back(o.presets_file);
    presets = load_presets(data_dir() / "frameworks.yaml", overrides);
  } catch (const PresetError& e) {
    return fail(exit_code::kPresetError, e.what());
  }

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
  if (const std::string problem = check_open_files(o); !problem.empty())
    return fail(exit_code::kUsage, problem);
  install_interrupt_handlers();

  std::unique_ptr<sim::SimServer> simulator;
  std::string base_url = o.base_url;
  if (o.simulate) {
    sim::SimOptions sim_options;
    sim_options.profile = preset->sim_profile;
    sim_options.model = model_id;
    sim_options.time_scale = o.sim_time_scale;
    sim_options.seed = o.seed;
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
  if (!health.healthy)
    return fail(exit_code::kServerUnavailable,
                "no " + o.framework + " server answering at " + shown_url + " (" +
                    health.describe() +
                    "). Start it with: " + presets.start_command(*preset, model_id) +
                    " — or point --base-url at the running server");
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
  run.time_scale = o.simulate ? o.sim_time_scale : health.time_scale;
  run.timestamp = formatted_time("%Y-%m-%d %H:%M:%S", false);
  run.started_at_utc = formatted_time("%Y-%m-%dT%H:%M:%SZ", true);
  run.request_options = request_options(o, api);

  const std::vector<CellPlan> cells{custom_cell(o, model_id)};
  BenchmarkSettings settings;
  settings.progress = o.progress;
  settings.stop.level = interrupt_level();
  settings.stop.grace_ns = std::llround(o.grace_period_s * 1e9);
  settings.resume = o.resume;
  try {
    BenchmarkRun benchmark({base_url, adapter.get(), client}, run, paths, settings);
    const BenchmarkOutcome outcome = benchmark.run(cells, std::cout);
    return finish(outcome, paths);
  } catch (const OutputError& e) {
    return fail(exit_code::kOutputUnwritable, e.what());
  }
}

}  // namespace servemeter
