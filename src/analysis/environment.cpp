#include "analysis/environment.h"

#include <algorithm>
#include <map>
#include <set>

namespace servemeter {
namespace {

using nlohmann::json;

std::string string_at(const json& object, const char* key) {
  if (!object.is_object()) return {};
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

void gpu_names(const json& node, std::set<std::string>& out) {
  if (!node.is_object()) return;
  if (const auto gpus = node.find("gpus"); gpus != node.end() && gpus->is_array())
    for (const auto& g : *gpus)
      if (const std::string name = string_at(g, "name"); !name.empty()) out.insert(name);
  if (const std::string name = string_at(node, "gpu_name"); !name.empty()) out.insert(name);
}

// The telemetry shapes servemeter writes: the trial's GPU window ("gpu"), the pre-flight
// inventory ("gpu_inventory"), or their fields at the top.
void read_telemetry(const json& t, std::set<std::string>& gpus, std::set<std::string>& drivers) {
  for (const json* node : {&t, t.contains("gpu") ? &t["gpu"] : nullptr,
                           t.contains("gpu_inventory") ? &t["gpu_inventory"] : nullptr}) {
    if (node == nullptr) continue;
    gpu_names(*node, gpus);
    if (const std::string d = string_at(*node, "driver_version"); !d.empty()) drivers.insert(d);
  }
}

// Server info as `run` records it: [{source_url, status, body}, …], or one object.
std::vector<std::pair<std::string, const json*>> server_answers(const json& info) {
  std::vector<std::pair<std::string, const json*>> out;
  if (info.is_array()) {
    for (const auto& entry : info)
      if (entry.is_object() && entry.contains("body"))
        out.emplace_back(string_at(entry, "source_url"), &entry["body"]);
  } else if (info.is_object() && !info.empty()) {
    if (info.contains("body"))
      out.emplace_back(string_at(info, "source_url"), &info["body"]);
    else
      out.emplace_back("server_info", &info);
  }
  return out;
}

void read_server_info(const json& info, FrameworkEnvironment& env) {
  for (const auto& [source, body] : server_answers(info)) {
    if (!body->is_object()) continue;
    if (env.server_version.empty()) {
      for (const char* key : {"version", "server_version", "build_info"}) {
        if (const std::string v = string_at(*body, key); !v.empty()) {
          env.server_version = v;
          env.version_source = source;
          break;
        }
      }
    }
    if (const auto details = body->find("details"); details != body->end()) {
      if (env.quantisation.empty()) env.quantisation = string_at(*details, "quantization_level");
      if (env.model_format.empty()) env.model_format = string_at(*details, "format");
    }
  }
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// As comparison.h's framework_display_name (not included: environment comes before it).
std::string framework_name(const std::string& f) {
  if (f == "sglang") return "SGLang";
  if (f == "vllm") return "vLLM";
  if (f == "ollama") return "Ollama";
  if (f == "llamacpp") return "llama.cpp";
  return f;
}

bool looks_like_ollama_tag(const std::string& model) {
  return model.find(':') != std::string::npos && model.find('/') == std::string::npos;
}

}  // namespace

Environment environment_of(const std::vector<FrameworkResults>& frameworks) {
  Environment env;
  std::set<std::string> gpus, drivers;
  for (const auto& fw : frameworks) {
    for (const auto& t : fw.telemetry) read_telemetry(t, gpus, drivers);
    if (const auto total = fw.gpu_info.find("memory_total_mb");
        total != fw.gpu_info.end() && total->is_number())
      env.gpu_memory_total_mib =
          std::max(env.gpu_memory_total_mib.value_or(0), total->get<double>());
    FrameworkEnvironment f;
    f.framework = fw.framework;
    f.model_preset = fw.model_preset;
    f.model = fw.model;
    f.simulated = fw.simulated;
    f.time_scale = fw.time_scale;
    read_server_info(fw.server_info, f);
    env.frameworks.push_back(std::move(f));
  }
  env.gpus.assign(gpus.begin(), gpus.end());
  env.drivers.assign(drivers.begin(), drivers.end());
  if (env.gpus.empty())
    env.gpu_note =
        "not recorded: no trial of these results carries GPU telemetry (simulated servers, a "
        "machine without NVML or nvidia-smi, or a runbook file)";

  // Which frameworks served which model build.
  std::map<std::string, std::vector<std::string>> by_model;
  std::set<std::string> quantisations;
  for (const auto& f : env.frameworks) {
    std::string build = f.model.empty() ? "(not recorded)" : "`" + f.model + "`";
    if (!f.quantisation.empty() || !f.model_format.empty())
      build += " (" + (f.model_format.empty() ? std::string() : f.model_format + ", ") +
               (f.quantisation.empty() ? "quantisation not reported" : f.quantisation) + ")";
    by_model[build].push_back(framework_name(f.framework));
    quantisations.insert(f.quantisation);
  }
  if (by_model.size() > 1) {
    std::string builds;
    for (const auto& [build, names] : by_model)
      builds += (builds.empty() ? "" : "; ") + join(names) + ": " + build;
    env.model_notes.push_back("The frameworks did not serve the same model build — " + builds +
                              ". Differences in speed include differences in the weights.");
    for (const auto& f : env.frameworks)
      if (f.framework == "ollama" || looks_like_ollama_tag(f.model))
        env.model_notes.push_back(
            framework_name(f.framework) + " serves `" + f.model +
            "` from the Ollama library: a GGUF build, " +
            (f.quantisation.empty()
                 ? std::string("usually quantised (e.g. Q4_K_M, or MXFP4 for gpt-oss; the "
                               "server did not report which — see `ollama show`)")
                 : "quantised as " + f.quantisation) +
            ", while the Hugging Face ids are served as published (FP16/BF16, or the "
            "checkpoint's own quantisation).");
  }
  return env;
}

}  // namespace servemeter
