// The pre-flight checks that depend on one framework preset: its model, its command, its port.
#include <filesystem>

#include "http/http_get.h"
#include "orchestrate/command_probe.h"
#include "orchestrate/health_check.h"
#include "orchestrate/port_owner.h"
#include "orchestrate/preflight_checks.h"
#include "orchestrate/served_models.h"
#include "orchestrate/spawn.h"

namespace servemeter::preflight {
namespace {

std::string local_url(int port) {
  return "http://127.0.0.1:" + std::to_string(port);
}

bool has_snapshot(const std::filesystem::path& folder) {
  std::error_code ec;
  const auto snapshots = folder / "snapshots";
  return std::filesystem::is_directory(snapshots, ec) && !std::filesystem::is_empty(snapshots, ec);
}

void check_huggingface_model(const std::string& check, const std::string& model,
                             const PreflightOptions& options, Lines& out) {
  std::error_code ec;
  if (std::filesystem::is_directory(model, ec)) {
    out.push_back({CheckLevel::ok, check, "the model is the local folder " + model, ""});
    return;
  }
  const auto hub = options.hf_cache.empty() ? huggingface_hub_cache() : options.hf_cache;
  const auto folder = huggingface_model_folder(hub, model);
  if (has_snapshot(folder)) {
    out.push_back({CheckLevel::ok, check,
                   model + " is in the Hugging Face cache (" + folder.string() + ")", ""});
    return;
  }
  const GetResult hub_answer = http_get(options.hub_url, "", {}, options.hub_timeout_ms, false);
  if (hub_answer.status > 0 && hub_answer.status < 500) {
    out.push_back({CheckLevel::ok, check,
                   model + " is not in the Hugging Face cache yet; " + options.hub_url +
                       " answers (HTTP " + std::to_string(hub_answer.status) +
                       "), so the server downloads it on its first start (tens of GB: allow time)",
                   ""});
    return;
  }
  const std::string why =
      hub_answer.status != 0 ? "HTTP " + std::to_string(hub_answer.status) : hub_answer.error;
  out.push_back({CheckLevel::warn, check,
                 model + " is not in the Hugging Face cache (" + folder.string() + ") and " +
                     options.hub_url + " cannot be reached (" + why +
                     "): the server will not be able to download it",
                 "check the network (or HTTPS_PROXY), or copy the model into the cache (HF_HOME), "
                 "or give a local folder as the model"});
}

void check_ollama_model(const std::string& check, const FrameworkPreset& preset,
                        const std::string& model, Lines& out) {
  const std::string url = local_url(preset.port);
  HealthOptions health;
  health.timeout_ms = 3000;
  if (!check_health(url, preset.health_path, health).healthy) {
    out.push_back({CheckLevel::ok, check,
                   "no Ollama server at " + url + " now, so whether " + model +
                       " is pulled is checked when the suite starts it (and pulls it if missing)",
                   ""});
    return;
  }
  const auto served = served_models(url, "");
  if (!served) {
    out.push_back({CheckLevel::warn, check,
                   "the Ollama server at " + url + " did not list its models",
                   "check it with `ollama list`"});
  } else if (model_is_served(model, *served)) {
    out.push_back({CheckLevel::ok, check, model + " is pulled", ""});
  } else {
    out.push_back({CheckLevel::warn, check, model + " is not pulled yet",
                   "run `ollama pull " + model + "`, or let the suite pull it"});
  }
}

}  // namespace

void check_model(const FrameworkPreset& preset, const LaunchValues& values,
                 const PreflightOptions& options, Lines& out) {
  const std::string check = preset.name + " model";
  switch (preset.model_source) {
    case ModelSource::huggingface:
      check_huggingface_model(check, values.model, options, out);
      return;
    case ModelSource::ollama:
      check_ollama_model(check, preset, values.model, out);
      return;
    case ModelSource::file: {
      const std::string file = values.model_path.empty() ? values.model : values.model_path;
      std::error_code ec;
      if (std::filesystem::is_regular_file(file, ec))
        out.push_back({CheckLevel::ok, check, "model file " + file + " is there", ""});
      else
        out.push_back({CheckLevel::fail, check, "model file '" + file + "' not found",
                       "give the model file (e.g. a .gguf) as the model or model path"});
      return;
    }
    case ModelSource::none:
      return;
  }
}

void check_command(const FrameworkPreset& preset, const LaunchValues& values,
                   const PreflightOptions& options, Lines& out) {
  const std::string check = preset.name + " command";
  if (preset.command.empty()) {
    out.push_back({CheckLevel::ok, check,
                   "no start command in the presets: start the server yourself and give its "
                   "--base-url",
                   ""});
    return;
  }
  const LaunchSpec spec = launch_spec(preset, values);
  std::error_code ec;
  if (!spec.venv.empty() && !std::filesystem::is_directory(spec.venv / "bin", ec)) {
    out.push_back({CheckLevel::fail, check,
                   "virtual environment " + preset.venv + " not found (" + spec.venv.string() +
                       " has no bin/)",
                   "create it (e.g. `uv venv " + preset.venv +
                       "`, then install the framework in it), run servemeter from the folder "
                       "that holds it, or fix 'venv' in your presets"});
    return;
  }
  const std::string program = resolve_program(spec);
  if (program.empty()) {
    out.push_back(
        {CheckLevel::fail, check,
         "'" + spec.argv.front() + "' not found" +
             (spec.venv.empty() ? " on PATH"
                                : " on PATH with " + (spec.venv / "bin").string() + " first"),
         "install " + preset.name + (spec.venv.empty() ? "" : " in " + preset.venv) +
             ", or fix 'command' in your presets"});
    return;
  }
  const std::string found = spec.argv.front() + " is " + program;
  const LaunchSpec probe = check_spec(preset, values);
  if (probe.argv.empty()) {
    out.push_back({CheckLevel::ok, check, found, ""});
    return;
  }
  const std::string shown = display_command(LaunchSpec{probe.argv, {}, {}, {}});
  const CommandProbeResult result = run_command_probe(probe, options.command_timeout);
  if (!result.started) {
    out.push_back({CheckLevel::fail, check, "`" + shown + "` could not run: " + result.error,
                   "install " + preset.name + ", or fix 'check_command' in your presets"});
  } else if (result.timed_out) {
    out.push_back({CheckLevel::warn, check,
                   found + ", but `" + shown + "` did not finish within " +
                       std::to_string(options.command_timeout.count() / 1000) + " s",
                   "run it yourself to see why it hangs"});
  } else if (result.exit_status != 0) {
    out.push_back({CheckLevel::fail, check,
                   found + ", but `" + shown + "` failed (exit status " +
                       std::to_string(result.exit_status) + ")" +
                       (result.output.empty() ? "" : ": " + result.output),
                   "install " + preset.name + (spec.venv.empty() ? "" : " in " + preset.venv) +
                       " (see the output above)"});
  } else {
    out.push_back({CheckLevel::ok, check, found + "; `" + shown + "` works", ""});
  }
}

void check_port_free(const FrameworkPreset& preset, Lines& out) {
  if (preset.port == 0) return;
  const std::string check = preset.name + " port";
  const std::string port = std::to_string(preset.port);
  const PortCheck result = check_port(preset.host, preset.port);
  if (!result.error.empty()) {
    out.push_back({CheckLevel::warn, check, "cannot check port " + port + ": " + result.error,
                   "check 'host' and 'port' in your presets"});
    return;
  }
  if (result.free) {
    out.push_back({CheckLevel::ok, check, "port " + port + " is free", ""});
    return;
  }
  HealthOptions health;
  health.timeout_ms = 1000;  // a holder that accepts and never answers costs 3 probes of this
  if (check_health(local_url(preset.port), preset.health_path, health).healthy) {
    const std::string who = result.owner && result.owner->pid > 0
                                ? " (pid " + std::to_string(result.owner->pid) + ")"
                                : "";
    out.push_back({CheckLevel::warn, check,
                   "a server already answers on port " + port + who +
                       ": servemeter can measure it as it is (--attach), but cannot start its "
                       "own " +
                       preset.name + " server there",
                   "stop it first if the suite should start the server itself"});
    return;
  }
  out.push_back({CheckLevel::fail, check, port_in_use_message(preset.port, result.owner),
                 "free the port before starting " + preset.name});
}

}  // namespace servemeter::preflight
