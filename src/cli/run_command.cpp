#include "cli/run_command.h"

#include <sys/resource.h>

#include <csignal>
#include <ctime>
#include <iostream>
#include <memory>

#include "cli/exit_codes.h"
#include "cli/version.h"
#include "load/run_cell.h"
#include "orchestrate/base_url.h"
#include "orchestrate/health_check.h"
#include "orchestrate/served_models.h"
#include "protocol/api_adapter.h"
#include "results/atomic_file.h"
#include "results/result_files.h"
#include "scenario/presets.h"
#include "sim/sim_server.h"
#include "workload/prompt_synthesis.h"

namespace servemeter {
namespace {

// One line on stderr, prefixed so it stands out from progress output.
int fail(int code, const std::string& message) {
  std::cerr << "servemeter: " << message << "\n";
  return code;
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

std::string cell_label(const RunOptions& o) {
  std::string label =
      "in=" + std::to_string(o.input_tokens) + ",out=" + std::to_string(o.output_tokens);
  if (o.request_rate) {
    char rate[32];
    std::snprintf(rate, sizeof rate, "%g", *o.request_rate);
    label += ",rate=" + std::string(rate);
  }
  return label;
}

nlohmann::json cell_params(const RunOptions& o) {
  nlohmann::json params = {{"input_tokens", o.input_tokens},
                           {"output_tokens", o.output_tokens},
                           {"num_requests", o.num_requests},
                           {"warmup", o.warmup},
                           {"seed", o.seed}};
  if (o.request_rate) {
    params["request_rate"] = *o.request_rate;
    params["burstiness"] = o.burstiness;
    params["concurrency"] =
        o.max_concurrency ? nlohmann::json(*o.max_concurrency) : nlohmann::json(nullptr);
  } else {
    params["concurrency"] = o.concurrency;
  }
  return params;
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
          {"system_prompt",
           o.system_prompt.empty() ? nlohmann::json(nullptr) : nlohmann::json(o.system_prompt)},
          {"request_timeout_s", o.request_timeout_s},
          {"connect_timeout_s", o.connect_timeout_s},
          {"stall_timeout_s", o.stall_timeout_s},
          {"api_key", o.api_key.empty() ? "none" : "sent (redacted)"},
          {"tls_verify", !o.insecure},
          {"ca_file", o.ca_file.empty() ? nlohmann::json(nullptr) : nlohmann::json(o.ca_file)},
          {"prompt_source", "synthetic English words (approximate tokenizer)"}};
}

http::TlsOptions tls_options(const RunOptions& o) {
  return {!o.insecure, o.ca_file};
}

// Thousands of concurrent streams need as many sockets; the soft limit is often 1,024.
void raise_open_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

volatile std::sig_atomic_t g_interrupted = 0;
void on_interrupt(int) {
  g_interrupted = 1;
}

}  // namespace

int run_command(const RunOptions& o, const std::string& command_line) {
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
                                       o.base_url + "' or drop --simulate");
  if (o.base_url.empty() && preset->port == 0 && !o.simulate)
    return fail(exit_code::kUsage, "framework '" + o.framework +
                                       "' has no default port: give --base-url http://HOST:PORT");

  try {
    ensure_writable_folder(o.results_dir);
  } catch (const OutputError& e) {
    return fail(exit_code::kOutputUnwritable, e.what());
  }

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
    return fail(exit_code::kUsage, "malformed --base-url '" + base_url + "': " + why);
  base_url = parsed_url->normalized;

  HealthOptions health_options;
  health_options.api_key = o.api_key;
  health_options.tls = tls_options(o);
  health_options.wait_s = o.wait_for_server_s;
  const HealthResult health = check_health(base_url, preset->health_path, health_options);
  if (!health.healthy && health.untrusted_certificate())
    return fail(exit_code::kServerUnavailable,
                "the server at " + base_url + " presented a TLS certificate we do not trust (" +
                    health.describe() +
                    "). Pass --cacert FILE with the CA that signed it, or --insecure to skip the "
                    "check");
  if (!health.healthy)
    return fail(exit_code::kServerUnavailable,
                "no " + o.framework + " server answering at " + base_url + " (" +
                    health.describe() +
                    "). Start it with: " + presets.start_command(*preset, model_id) +
                    " — or point --base-url at the running server");
  if (preset->model_check) {
    if (const auto served = served_models(base_url, o.api_key, health_options.tls);
        served && !model_is_served(model_id, *served)) {
      std::string list;
      for (const auto& m : *served) list += (list.empty() ? "" : ", ") + m;
      return fail(exit_code::kModelNotServed,
                  "the server at " + base_url + " does not serve model '" + model_id +
                      "' (it serves: " + list + "); pass one of those with --model");
    }
  }

  RunDocument run;
  run.meta.tool_version = std::string(kVersion);
  run.meta.command_line = command_line;
  run.meta.framework = o.framework;
  run.meta.model = o.model;
  run.meta.model_id = model_id;
  run.meta.base_url = base_url;
  run.meta.api = api;
  run.meta.simulated = o.simulate || health.simulated;
  run.meta.time_scale = o.simulate ? o.sim_time_scale : health.time_scale;
  run.meta.started_at = utc_now();
  run.meta.request_options = request_options(o, api);

  CellRun cell;
  cell.scenario = "custom";
  cell.cell = cell_label(o);
  cell.params = cell_params(o);
  cell.open_loop = o.request_rate.has_value();
  cell.time_scale = run.meta.time_scale;
  run.cells.push_back(cell);

  raise_open_file_limit();
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);

  int exit = exit_code::kOk;
  const int total = o.warmup + o.num_requests;
  for (int trial = 0; trial < o.trials && !g_interrupted; ++trial) {
    load::CellInput input;
    input.base_url = base_url;
    input.adapter = adapter.get();
    input.client.api_key = o.api_key;
    input.client.tls = tls_options(o);
    input.client.request_timeout =
        std::chrono::milliseconds(static_cast<long>(o.request_timeout_s * 1000));
    input.client.connect_timeout =
        std::chrono::milliseconds(static_cast<long>(o.connect_timeout_s * 1000));
    input.client.stall_timeout = std::chrono::seconds(static_cast<long>(o.stall_timeout_s));
    input.warmup = o.warmup;
    if (o.request_rate)
      input.load.mode =
          load::OpenLoop{*o.request_rate, o.burstiness, o.max_concurrency.value_or(0)};
    else
      input.load.mode = load::ClosedLoop{o.concurrency};
    input.load.seed = o.seed + static_cast<unsigned>(trial);
    input.cell = cell.cell;
    input.trial = trial;
    input.first_id = static_cast<std::uint64_t>(trial) * total + 1;
    input.stop = &g_interrupted;
    for (int i = 0; i < total; ++i) {
      GenerationRequest request;
      request.model = model_id;
      request.system_prompt = o.system_prompt;
      // Distinct prompts per request and trial: no accidental prefix-cache hits across them.
      request.prompt = synthesize_prompt(static_cast<std::size_t>(o.input_tokens),
                                         o.seed * 1'000'003 + trial * 100'003 + i);
      request.max_tokens = o.output_tokens;
      request.exact_output_length = o.exact_output;
      load::PreparedRequest prepared;
      prepared.request = std::move(request);
      prepared.requested_input_tokens = o.input_tokens;
      prepared.requested_output_tokens = o.output_tokens;
      input.requests.push_back(std::move(prepared));
    }
    const auto progress =
        o.progress ? load::make_stderr_progress() : std::make_unique<load::NullProgress>();
    load::CellResult outcome = load::run_cell(input, *progress);
    run.cells.back().trials.push_back(std::move(outcome.records));
    try {
      write_result_files(o.results_dir, run);
    } catch (const OutputError& e) {
      return fail(exit_code::kOutputUnwritable, e.what());
    }
  }
  const auto paths = result_paths(o.results_dir, run.meta.framework, run.meta.model);
  std::cout << summary_line(run.cells.back()) << (run.meta.simulated ? " (simulated)" : "") << "\n";
  std::cout << "results: " << paths.results_json.string() << "\n";
  if (g_interrupted)
    return fail(exit_code::kInterrupted,
                "interrupted: trials already measured are in " + paths.results_json.string());
  bool any_success = false;
  for (const auto& trial : run.cells.back().trials)
    for (const auto& r : trial) any_success |= !r.warmup && r.ok();
  if (!any_success)
    exit = fail(exit_code::kAllRequestsFailed, "no measured request succeeded; see the errors in " +
                                                   paths.requests_jsonl.string());
  return exit;
}

}  // namespace servemeter
