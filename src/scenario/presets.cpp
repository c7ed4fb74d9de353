#include "scenario/presets.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>

namespace servemeter {
namespace {

void merge_file(Presets& presets, const std::filesystem::path& file) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(file.string());
  } catch (const YAML::Exception& e) {
    throw PresetError("cannot read presets file " + file.string() + ": " + e.what() +
                      " (fix the YAML or remove the file)");
  }
  if (const auto frameworks = root["frameworks"]) {
    for (const auto& entry : frameworks) {
      const auto name = entry.first.as<std::string>();
      FrameworkPreset& preset = presets.frameworks[name];
      preset.name = name;
      const YAML::Node& node = entry.second;
      try {
        if (node["port"]) preset.port = node["port"].as<int>();
        if (node["api"]) preset.api = node["api"].as<std::string>();
        if (node["health_path"]) preset.health_path = node["health_path"].as<std::string>();
        if (node["start_command"]) preset.start_command = node["start_command"].as<std::string>();
        if (node["sim_profile"]) preset.sim_profile = node["sim_profile"].as<std::string>();
        if (node["model_check"]) preset.model_check = node["model_check"].as<bool>();
      } catch (const YAML::Exception& e) {
        throw PresetError("bad value for framework '" + name + "' in " + file.string() + ": " +
                          e.what());
      }
      if (preset.api.empty())
        throw PresetError("framework '" + name + "' in " + file.string() + " has no 'api'");
    }
  }
  if (const auto models = root["models"]) {
    for (const auto& entry : models) {
      auto& mapping = presets.models[entry.first.as<std::string>()];
      for (const auto& per_framework : entry.second)
        mapping[per_framework.first.as<std::string>()] = per_framework.second.as<std::string>();
    }
  }
}

void replace_all(std::string& text, const std::string& what, const std::string& with) {
  for (auto pos = text.find(what); pos != std::string::npos;
       pos = text.find(what, pos + with.size()))
    text.replace(pos, what.size(), with);
}

}  // namespace

const FrameworkPreset* Presets::framework(const std::string& name) const {
  const auto it = frameworks.find(name);
  return it == frameworks.end() ? nullptr : &it->second;
}

std::string Presets::framework_names() const {
  std::string names;
  for (const auto& [name, preset] : frameworks) names += (names.empty() ? "" : ", ") + name;
  return names;
}

std::string Presets::resolve_model(const std::string& model, const std::string& framework) const {
  const auto it = models.find(model);
  if (it == models.end()) return model;
  const auto mapped = it->second.find(framework);
  return mapped == it->second.end() ? model : mapped->second;
}

std::string Presets::start_command(const FrameworkPreset& preset,
                                   const std::string& model_id) const {
  std::string command = preset.start_command;
  replace_all(command, "{model}", model_id);
  replace_all(command, "{port}", std::to_string(preset.port));
  return command;
}

Presets load_presets(const std::filesystem::path& shipped,
                     const std::vector<std::filesystem::path>& overrides) {
  if (!std::filesystem::exists(shipped))
    throw PresetError("presets file not found: " + shipped.string() +
                      " (set SERVEMETER_DATA_DIR to the folder holding frameworks.yaml)");
  Presets presets;
  merge_file(presets, shipped);
  for (const auto& file : overrides) {
    if (!std::filesystem::exists(file))
      throw PresetError("presets file not found: " + file.string());
    merge_file(presets, file);
  }
  return presets;
}

std::filesystem::path data_dir() {
  if (const char* env = std::getenv("SERVEMETER_DATA_DIR"); env && *env) return env;
  return SERVEMETER_BUILD_DATA_DIR;
}

std::optional<std::filesystem::path> user_presets_file() {
  std::filesystem::path base;
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg)
    base = xdg;
  else if (const char* home = std::getenv("HOME"); home && *home)
    base = std::filesystem::path(home) / ".config";
  else
    return std::nullopt;
  auto file = base / "servemeter" / "presets.yaml";
  if (std::filesystem::exists(file)) return file;
  return std::nullopt;
}

}  // namespace servemeter
