#pragma once
// Pre-flight (the runbook's checklist, section 1): is this machine ready to benchmark the given
// frameworks? Each line is OK, WARN or FAIL and says what to do. Nothing is started or changed.
#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "orchestrate/presets.h"
#include "telemetry/gpu_probe.h"

namespace servemeter {

enum class CheckLevel { ok, warn, fail };
std::string_view to_string(CheckLevel level) noexcept;  // "OK", "WARN", "FAIL"

struct PreflightLine {
  CheckLevel level = CheckLevel::ok;
  std::string check;    // "GPU", "disk", "vllm command", "vllm port", …
  std::string message;  // what was found
  std::string fix;      // what to do (WARN and FAIL)
};

struct PreflightOptions {
  std::vector<std::string> frameworks;  // preset names, in order
  std::string model = "gpt-oss-20b";    // a model preset or an id
  std::string model_path;               // {model_path} for file models; empty: the model id
  bool strict = false;  // other processes on the GPU (and no GPU at all) are failures
  std::filesystem::path results_dir = "results";
  double min_free_gb = 50;  // the runbook's figure for the model cache and results
  double max_temperature_c = 80;
  std::string hub_url = "https://huggingface.co";
  long hub_timeout_ms = 4000;
  std::chrono::milliseconds command_timeout{60000};
  // Seams for tests: a probe to use instead of make_gpu_probe(), and the Hugging Face hub cache
  // folder instead of the one the environment names.
  telemetry::GpuProbe* gpu_probe = nullptr;
  std::filesystem::path hf_cache;
};

struct PreflightReport {
  std::vector<PreflightLine> lines;
  int count(CheckLevel level) const;
  bool failed() const { return count(CheckLevel::fail) > 0; }
};

PreflightReport run_preflight(const Presets& presets, const PreflightOptions& options);

// "WARN  GPU processes: …" and, when there is one, "      fix: …" on the next line.
std::string format_preflight_line(const PreflightLine& line);

// The Hugging Face hub cache: $HF_HUB_CACHE, else $HF_HOME/hub, else
// ${XDG_CACHE_HOME:-~/.cache}/huggingface/hub.
std::filesystem::path huggingface_hub_cache();
// Where a model id lives in that cache: models--org--name.
std::filesystem::path huggingface_model_folder(const std::filesystem::path& hub_cache,
                                               const std::string& model_id);

}  // namespace servemeter
