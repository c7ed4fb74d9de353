#include "orchestrate/presets.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

namespace servemeter {
namespace {

const std::set<std::string> kFrameworkKeys = {"port",          "api",         "health_path",
                                              "start_command", "sim_profile", "model_check"};

std::string kind_of(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "the value '" + node.Scalar() + "'";
    case YAML::NodeType::Null:
      return "empty";
    default:
      return "undefined";
  }
}

// `node` must be a map (an absent or empty one is fine); else a message naming where.
void require_map(const YAML::Node& node, const std::string& where, const std::string& name) {
  if (!node || node.IsNull() || node.IsMap()) return;
  throw PresetError("presets file " + name + ": " + where + " must be a map of names to " +
                    "settings, but it is " + kind_of(node) +
                    " (see data/frameworks.yaml for the shape)");
}

template <class T>
T scalar(const YAML::Node& node, const std::string& where, const std::string& name,
         const char* expected) {
  if (!node.IsScalar())
    throw PresetError("presets file " + name + ": " + where + " must be " + expected +
                      ", but it is " + kind_of(node));
  try {
    return node.as<T>();
  } catch (const YAML::Exception&) {
    throw PresetError("presets file " + name + ": " + where + " must be " + expected +
                      ", but it is '" + node.Scalar() + "'");
  }
}

void merge_framework(Presets& presets, const std::string& fw, const YAML::Node& node,
                     const std::string& name) {
  const std::string where = "frameworks." + fw;
  require_map(node, where, name);
  FrameworkPreset& preset = presets.frameworks[fw];
  preset.name = fw;
  if (node && node.IsMap()) {
    for (const auto& entry : node) {
      const auto key = scalar<std::string>(entry.first, where, name, "a key");
      if (!kFrameworkKeys.contains(key))
        throw PresetError("presets file " + name + ": unknown key '" + key + "' in " + where +
                          " (known: api, health_path, model_check, port, sim_profile, "
                          "start_command)");
    }
    const std::string at = where + ".";
    if (const auto v = node["port"]) {
      preset.port = scalar<int>(v, at + "port", name, "a port number");
      if (preset.port < 0 || preset.port > 65535)
        throw PresetError("presets file " + name + ": " + at + "port " +
                          std::to_string(preset.port) + " is not a port (0-65535)");
    }
    if (const auto v = node["api"]) preset.api = scalar<std::string>(v, at + "api", name, "text");
    if (const auto v = node["health_path"])
      preset.health_path = scalar<std::string>(v, at + "health_path", name, "a path");
    if (const auto v = node["start_command"])
      preset.start_command = scalar<std::string>(v, at + "start_command", name, "text");
    if (const auto v = node["sim_profile"])
      preset.sim_profile = scalar<std::string>(v, at + "sim_profile", name, "text");
    if (const auto v = node["model_check"])
      preset.model_check = scalar<bool>(v, at + "model_check", name, "true or false");
  }
  if (preset.api.empty()) throw PresetError("framework '" + fw + "' in " + name + " has no 'api'");
}

std::string read_file(const std::filesystem::path& file) {
  std::error_code ec;
  const auto status = std::filesystem::status(file, ec);
  if (ec || !std::filesystem::exists(status))
    throw PresetError("presets file not found: " + file.string());
  if (std::filesystem::is_directory(status))
    throw PresetError("presets file " + file.string() +
                      " is a directory; give the path of a YAML file");
  std::ifstream in(file, std::ios::binary);
  if (!in.is_open())
    throw PresetError("cannot open presets file " + file.string() +
                      " (check its permissions, or remove it)");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad())
    throw PresetError("cannot read presets file " + file.string() +
                      " (check its permissions, or remove it)");
  return text.str();
}

void replace_all(std::string& text, const std::string& what, const std::string& with) {
  for (auto pos = text.find(what); pos != std::string::npos;
       pos = text.find(what, pos + with.size()))
    text.replace(pos, what.size(), with);
}

}  // namespace

void merge_presets_text(Presets& presets, std::string_view yaml, const std::string& name) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    throw PresetError("cannot read presets file " + name + ": " + e.what() +
                      " (fix the YAML or remove the file)");
  }
  if (!root || root.IsNull()) return;  // an empty file changes nothing
  if (!root.IsMap())
    throw PresetError("presets file " + name +
                      ": the top level must be a map with 'frameworks' and/or 'models', but it "
                      "is " +
                      kind_of(root));
  for (const auto& entry : root) {
    const auto key = scalar<std::string>(entry.first, "the top level", name, "a key");
    if (key != "frameworks" && key != "models")
      throw PresetError("presets file " + name + ": unknown top-level key '" + key +
                        "' (known: frameworks, models)");
  }
  const YAML::Node frameworks = root["frameworks"];
  require_map(frameworks, "frameworks", name);
  if (frameworks && frameworks.IsMap())
    for (const auto& entry : frameworks)
      merge_framework(presets, scalar<std::string>(entry.first, "frameworks", name, "a name"),
                      entry.second, name);
  const YAML::Node models = root["models"];
  require_map(models, "models", name);
  if (models && models.IsMap()) {
    for (const auto& entry : models) {
      const auto model = scalar<std::string>(entry.first, "models", name, "a name");
      const std::string where = "models." + model;
      require_map(entry.second, where, name);
      if (!entry.second.IsMap()) continue;
      auto& mapping = presets.models[model];
      for (const auto& per_framework : entry.second) {
        const auto fw = scalar<std::string>(per_framework.first, where, name, "a framework");
        mapping[fw] =
            scalar<std::string>(per_framework.second, where + "." + fw, name, "a model id");
      }
    }
  }
}

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
  std::error_code ec;
  if (!std::filesystem::exists(shipped, ec))
    throw PresetError("presets file not found: " + shipped.string() +
                      " (set SERVEMETER_DATA_DIR to the folder holding frameworks.yaml)");
  Presets presets;
  merge_presets_text(presets, read_file(shipped), shipped.string());
  for (const auto& file : overrides) merge_presets_text(presets, read_file(file), file.string());
  return presets;
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
  std::error_code ec;
  if (std::filesystem::symlink_status(file, ec).type() != std::filesystem::file_type::not_found &&
      !ec)
    return file;
  return std::nullopt;
}

}  // namespace servemeter
