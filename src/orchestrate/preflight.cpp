#include "orchestrate/preflight.h"

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "orchestrate/preflight_checks.h"

namespace servemeter {
namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

std::string one_decimal(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", value);
  return text;
}

// The nearest folder of `path` that exists (statvfs needs one).
std::filesystem::path existing_ancestor(std::filesystem::path path) {
  std::error_code ec;
  path = std::filesystem::absolute(path, ec);
  while (!path.empty() && !std::filesystem::exists(path, ec) && path != path.root_path())
    path = path.parent_path();
  return path.empty() ? std::filesystem::path("/") : path;
}

std::filesystem::path ollama_models_folder() {
  if (const std::string dir = env("OLLAMA_MODELS"); !dir.empty()) return dir;
  const std::string home = env("HOME");
  return std::filesystem::path(home.empty() ? "/" : home) / ".ollama" / "models";
}

}  // namespace

std::string_view to_string(CheckLevel level) noexcept {
  switch (level) {
    case CheckLevel::warn:
      return "WARN";
    case CheckLevel::fail:
      return "FAIL";
    case CheckLevel::ok:
      break;
  }
  return "OK";
}

int PreflightReport::count(CheckLevel level) const {
  int n = 0;
  for (const auto& line : lines) n += line.level == level ? 1 : 0;
  return n;
}

std::string format_preflight_line(const PreflightLine& line) {
  std::string level(to_string(line.level));
  level.resize(6, ' ');
  std::string text = level + line.check + ": " + line.message;
  if (!line.fix.empty() && line.level != CheckLevel::ok) text += "\n      fix: " + line.fix;
  return text;
}

std::filesystem::path huggingface_hub_cache() {
  if (const std::string dir = env("HF_HUB_CACHE"); !dir.empty()) return dir;
  if (const std::string dir = env("HF_HOME"); !dir.empty())
    return std::filesystem::path(dir) / "hub";
  std::filesystem::path cache = env("XDG_CACHE_HOME");
  if (cache.empty()) cache = std::filesystem::path(env("HOME")) / ".cache";
  return cache / "huggingface" / "hub";
}

std::filesystem::path huggingface_model_folder(const std::filesystem::path& hub_cache,
                                               const std::string& model_id) {
  std::string name = "models--";
  for (const char c : model_id) {
    if (c == '/')
      name += "--";
    else
      name += c;
  }
  return hub_cache / name;
}

namespace preflight {

void check_gpus(telemetry::GpuProbe& probe, const PreflightOptions& options, Lines& out) {
  const CheckLevel strict_or_warn = options.strict ? CheckLevel::fail : CheckLevel::warn;
  const telemetry::GpuInventory inventory = probe.inventory();
  if (probe.kind() == "none" || inventory.gpus.empty()) {
    const std::string why = !inventory.unavailable_reason.empty() ? inventory.unavailable_reason
                            : !probe.unavailable_reason().empty() ? probe.unavailable_reason()
                                                                  : "no GPU listed";
    out.push_back({strict_or_warn, "GPU", "no GPU visible (" + why + ")",
                   "on a GPU machine, install the NVIDIA driver so that nvidia-smi works; "
                   "without a GPU the GPU figures are null and vLLM/SGLang cannot run"});
    return;
  }
  const std::string driver = "driver " + inventory.driver_version.value_or("unknown") + ", CUDA " +
                             inventory.cuda_version.value_or("unknown");
  for (const auto& gpu : inventory.gpus) {
    std::string memory;
    if (gpu.memory_total_mib)
      memory = ", " + std::to_string(std::llround(*gpu.memory_total_mib)) + " MiB";
    out.push_back({CheckLevel::ok, "GPU",
                   "GPU " + std::to_string(gpu.identity.index) + ": " + gpu.identity.name + memory +
                       "; " + driver,
                   ""});
  }

  if (!inventory.processes_error.empty()) {
    out.push_back({CheckLevel::warn, "GPU processes",
                   "cannot list the processes on the GPUs: " + inventory.processes_error,
                   "check with nvidia-smi that no other process uses the GPU"});
  } else {
    bool any = false;
    for (const auto& gpu : inventory.gpus) {
      for (const auto& process : gpu.processes) {
        any = true;
        std::string memory;
        if (process.used_memory_mib)
          memory = ", " + std::to_string(std::llround(*process.used_memory_mib)) + " MiB";
        out.push_back(
            {strict_or_warn, "GPU processes",
             "GPU " + std::to_string(gpu.identity.index) + " is in use by " +
                 (process.name.empty() ? std::string("a process") : process.name) + " (pid " +
                 std::to_string(process.pid) + memory +
                 "): the frameworks would not get the GPU to themselves, so the comparison "
                 "would not be fair",
             "stop it (kill " + std::to_string(process.pid) + ") before benchmarking"});
      }
    }
    if (!any) out.push_back({CheckLevel::ok, "GPU processes", "no other process on the GPUs", ""});
  }

  const telemetry::GpuSample sample = probe.sample();
  if (!sample.error.empty()) {
    out.push_back({CheckLevel::warn, "GPU temperature", "cannot read the GPUs: " + sample.error,
                   "check nvidia-smi"});
    return;
  }
  for (const auto& reading : sample.gpus) {
    const std::string gpu = "GPU " + std::to_string(reading.index);
    if (!reading.temperature_c) {
      out.push_back({CheckLevel::warn, "GPU temperature", gpu + " does not report its temperature",
                     "check it with nvidia-smi"});
    } else if (*reading.temperature_c > options.max_temperature_c) {
      out.push_back({CheckLevel::warn, "GPU temperature",
                     gpu + " is at " + std::to_string(std::llround(*reading.temperature_c)) +
                         " °C, above " + std::to_string(std::llround(options.max_temperature_c)) +
                         " °C: it may slow its clocks during the benchmark",
                     "check the cooling and let it cool down before benchmarking"});
    } else {
      out.push_back({CheckLevel::ok, "GPU temperature",
                     gpu + " at " + std::to_string(std::llround(*reading.temperature_c)) + " °C",
                     ""});
    }
  }
}

void check_disk(const Presets& presets, const PreflightOptions& options, Lines& out) {
  // What lives where: folders on the same filesystem share one line.
  std::vector<std::pair<std::string, std::filesystem::path>> places;
  bool huggingface = false, ollama = false;
  for (const auto& name : options.frameworks) {
    if (const auto* preset = presets.framework(name)) {
      huggingface = huggingface || preset->model_source == ModelSource::huggingface;
      ollama = ollama || preset->model_source == ModelSource::ollama;
    }
  }
  const auto hub = options.hf_cache.empty() ? huggingface_hub_cache() : options.hf_cache;
  if (huggingface) places.emplace_back("model cache " + hub.string(), hub);
  if (ollama)
    places.emplace_back("Ollama models " + ollama_models_folder().string(), ollama_models_folder());
  places.emplace_back("results " + options.results_dir.string(), options.results_dir);

  std::map<dev_t, std::pair<std::string, std::filesystem::path>> by_device;
  for (const auto& [what, path] : places) {
    const auto folder = existing_ancestor(path);
    struct stat st {};
    if (::stat(folder.c_str(), &st) != 0) continue;
    auto& entry = by_device[st.st_dev];
    entry.first += (entry.first.empty() ? "" : " and ") + what;
    entry.second = folder;
  }
  for (const auto& [device, entry] : by_device) {
    struct statvfs fs {};
    if (::statvfs(entry.second.c_str(), &fs) != 0) {
      out.push_back(
          {CheckLevel::warn, "disk",
           "cannot read the free space of " + entry.second.string() + " (" + entry.first + ")",
           "check with df -h"});
      continue;
    }
    const double free_gb =
        static_cast<double>(fs.f_bavail) * static_cast<double>(fs.f_frsize) / 1e9;
    const std::string message = one_decimal(free_gb) + " GB free for the " + entry.first;
    if (free_gb < options.min_free_gb)
      out.push_back({CheckLevel::warn, "disk",
                     message + ", less than the " + one_decimal(options.min_free_gb) +
                         " GB the runbook asks for (a 20B model takes ~40 GB)",
                     "free some space, or put the model cache elsewhere (HF_HOME, OLLAMA_MODELS) "
                     "and the results with --results-dir"});
    else
      out.push_back({CheckLevel::ok, "disk", message, ""});
  }
}

}  // namespace preflight

PreflightReport run_preflight(const Presets& presets, const PreflightOptions& options) {
  PreflightReport report;
  std::unique_ptr<telemetry::GpuProbe> own_probe;
  telemetry::GpuProbe* probe = options.gpu_probe;
  if (probe == nullptr) {
    own_probe = telemetry::make_gpu_probe();
    probe = own_probe.get();
  }
  preflight::check_gpus(*probe, options, report.lines);
  preflight::check_disk(presets, options, report.lines);
  for (const auto& name : options.frameworks) {
    const FrameworkPreset* preset = presets.framework(name);
    if (preset == nullptr) {
      report.lines.push_back(
          {CheckLevel::fail, name, "no such framework preset",
           "choose one of " + presets.framework_names() + ", or add it to your presets file"});
      continue;
    }
    const LaunchValues values{
        presets.resolve_model(options.model, name), options.model_path, 0, {}};
    preflight::check_model(*preset, values, options, report.lines);
    preflight::check_command(*preset, values, options, report.lines);
    preflight::check_port_free(*preset, report.lines);
  }
  return report;
}

}  // namespace servemeter
