#pragma once
// Where the measurements were made, as far as the results say: GPU and driver (from the
// telemetry recorded with each trial), each server's version (from what it reported about
// itself, run.server_info), the model each framework served, and whether they differ in build
// or quantisation (Ollama's GGUF library builds against the Hugging Face weights).
#include <optional>
#include <string>
#include <vector>

#include "analysis/framework_results.h"

namespace servemeter {

struct FrameworkEnvironment {
  std::string framework, model_preset, model;
  std::string server_version;  // empty: not reported
  std::string version_source;  // the endpoint it came from
  std::string quantisation;    // as the server reported it (Ollama's /api/show), else empty
  std::string model_format;    // "gguf", …, else empty
  bool simulated = false;
  double time_scale = 1.0;
};

struct Environment {
  std::vector<std::string> gpus;     // distinct GPU names, sorted
  std::vector<std::string> drivers;  // distinct driver versions, sorted
  std::optional<double> gpu_memory_total_mib;
  std::string gpu_note;  // why GPU facts are missing, when they are
  std::vector<FrameworkEnvironment> frameworks;
  // Said when the frameworks did not serve the same model build (ids or quantisation differ).
  std::vector<std::string> model_notes;
};

Environment environment_of(const std::vector<FrameworkResults>& frameworks);

}  // namespace servemeter
