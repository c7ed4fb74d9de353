#include "orchestrate/presets.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>

namespace servemeter {
namespace {

const std::set<std::string> kFrameworkKeys = {"port",
                                              "api",
                                              "health_path",
                                              "sim_profile",
                                              "model_check",
                                              "command",
                                              "env",
                                              "venv",
                                              "working_dir",
                                              "host",
                                              "health_timeout_s",
                                              "stop_grace_s",
                                              "check_command",
                                              "model_source",
                                              "cache_flush_path",
                                              "metrics_path",
                                              "server_info_path"};

std::string known_keys() {
  std::string list;
  for (const auto& key : kFrameworkKeys) list += (list.empty() ? "" : ", ") + key;
  return list;
}

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

[[noreturn]] void bad(const std::string& name, const std::string& what) {
  throw PresetError("presets file " + name + ": " + what);
}

// `node` must be a map (an absent or empty one is fine); else a message naming where.
void require_map(const YAML::Node& node, const std::string& where, const std::string& name) {
  if (!node || node.IsNull() || node.IsMap()) return;
  bad(name, where + " must be a map of names to settings, but it is " + kind_of(node) +
                " (see data/frameworks.yaml for the shape)");
}

template <class T>
T scalar(const YAML::Node& node, const std::string& where, const std::string& name,
         const char* expected) {
  if (!node.IsScalar()) bad(name, where + " must be " + expected + ", but it is " + kind_of(node));
  try {
    return node.as<T>();
  } catch (const YAML::Exception&) {
    bad(name, where + " must be " + expected + ", but it is '" + node.Scalar() + "'");
  }
}

// Placeholders a value may hold; a misspelt one ({prot}) would otherwise reach the server as is.
void check_placeholders(const std::string& value, const std::string& where,
                        const std::string& name) {
  static const std::set<std::string> kKnown = {"model", "model_path", "host", "port"};
  for (std::size_t open = value.find('{'); open != std::string::npos;
       open = value.find('{', open + 1)) {
    const std::size_t close = value.find('}', open);
    if (close == std::string::npos) return;
    const std::string inner = value.substr(open + 1, close - open - 1);
    const bool identifier =
        !inner.empty() &&
        inner.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") == std::string::npos;
    if (identifier && !kKnown.contains(inner))
      bad(name, where + " has the unknown placeholder {" + inner +
                    "} (known: {model}, {model_path}, {host}, {port})");
  }
}

std::vector<std::string> argument_list(const YAML::Node& node, const std::string& where,
                                       const std::string& name) {
  if (node.IsScalar())
    bad(name, where +
                  " must be a list of arguments, one per element (e.g. [vllm, serve, "
                  "\"{model}\"]), but it is the text '" +
                  node.Scalar() + "': servemeter never runs a command through a shell");
  if (!node.IsNull() && !node.IsSequence())
    bad(name, where + " must be a list of arguments, but it is " + kind_of(node));
  std::vector<std::string> argv;
  for (std::size_t i = 0; node.IsSequence() && i < node.size(); ++i) {
    const std::string at = where + "[" + std::to_string(i) + "]";
    argv.push_back(scalar<std::string>(node[i], at, name, "text"));
    check_placeholders(argv.back(), at, name);
  }
  if (!argv.empty() && argv.front().empty()) bad(name, where + "[0] (the program) is empty");
  return argv;
}

double positive_seconds(const YAML::Node& node, const std::string& where, const std::string& name,
                        bool zero_ok) {
  const double seconds = scalar<double>(node, where, name, "a number of seconds");
  if (!(seconds > 0 || (zero_ok && seconds == 0)) || seconds > 1e7)
    bad(name, where + " must be " + (zero_ok ? "0 or more" : "more than 0") +
                  " seconds (and finite), but it is " + node.Scalar());
  return seconds;
}

std::string path_value(const YAML::Node& node, const std::string& where, const std::string& name) {
  const auto path = scalar<std::string>(node, where, name, "a path");
  if (!path.empty() && path.front() != '/')
    bad(name, where + " must start with '/', but it is '" + path + "'");
  return path;
}

ModelSource model_source(const YAML::Node& node, const std::string& where,
                         const std::string& name) {
  const auto text = scalar<std::string>(node, where, name, "huggingface, ollama, file or none");
  for (const auto source :
       {ModelSource::none, ModelSource::huggingface, ModelSource::ollama, ModelSource::file})
    if (text == to_string(source)) return source;
  bad(name, where + " must be huggingface, ollama, file or none, but it is '" + text + "'");
}

void merge_env(FrameworkPreset& preset, const YAML::Node& node, const std::string& where,
               const std::string& name) {
  if (node.IsNull()) return;
  if (!node.IsMap())
    bad(name, where +
                  " must be a map of variable names to values (e.g. OLLAMA_HOST: "
                  "\"{host}:{port}\"), but it is " +
                  kind_of(node));
  for (const auto& entry : node) {
    const auto variable = scalar<std::string>(entry.first, where, name, "a variable name");
    if (variable.empty() || variable.find('=') != std::string::npos ||
        variable.find('\0') != std::string::npos)
      bad(name, where + " has the variable name '" + variable + "', which cannot be one");
    const std::string at = where + "." + variable;
    auto value = scalar<std::string>(entry.second, at, name, "text");
    check_placeholders(value, at, name);
    preset.env[variable] = std::move(value);
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
      if (key == "start_command")
        bad(name, "'start_command' in " + where +
                      " is no longer read: give the server's command as a list of arguments under "
                      "'command' (e.g. command: [vllm, serve, \"{model}\", --port, \"{port}\"])");
      if (!kFrameworkKeys.contains(key))
        bad(name, "unknown key '" + key + "' in " + where + " (known: " + known_keys() + ")");
    }
    const std::string at = where + ".";
    if (const auto v = node["port"]) {
      preset.port = scalar<int>(v, at + "port", name, "a port number");
      if (preset.port < 0 || preset.port > 65535)
        bad(name, at + "port " + std::to_string(preset.port) + " is not a port (0-65535)");
    }
    if (const auto v = node["api"]) preset.api = scalar<std::string>(v, at + "api", name, "text");
    if (const auto v = node["health_path"])
      preset.health_path = path_value(v, at + "health_path", name);
    if (const auto v = node["sim_profile"])
      preset.sim_profile = scalar<std::string>(v, at + "sim_profile", name, "text");
    if (const auto v = node["model_check"])
      preset.model_check = scalar<bool>(v, at + "model_check", name, "true or false");
    if (const auto v = node["command"]) preset.command = argument_list(v, at + "command", name);
    if (const auto v = node["check_command"])
      preset.check_command = argument_list(v, at + "check_command", name);
    if (const auto v = node["env"]) merge_env(preset, v, at + "env", name);
    if (const auto v = node["venv"])
      preset.venv = scalar<std::string>(v, at + "venv", name, "a path");
    if (const auto v = node["working_dir"])
      preset.working_dir = scalar<std::string>(v, at + "working_dir", name, "a path");
    if (const auto v = node["host"]) {
      preset.host = scalar<std::string>(v, at + "host", name, "an address");
      if (preset.host.empty()) bad(name, at + "host is empty: give an address such as 127.0.0.1");
    }
    if (const auto v = node["health_timeout_s"])
      preset.health_timeout_s = positive_seconds(v, at + "health_timeout_s", name, false);
    if (const auto v = node["stop_grace_s"])
      preset.stop_grace_s = positive_seconds(v, at + "stop_grace_s", name, true);
    if (const auto v = node["model_source"])
      preset.model_source = model_source(v, at + "model_source", name);
    if (const auto v = node["cache_flush_path"])
      preset.cache_flush_path = path_value(v, at + "cache_flush_path", name);
    if (const auto v = node["metrics_path"])
      preset.metrics_path = path_value(v, at + "metrics_path", name);
    if (const auto v = node["server_info_path"])
      preset.server_info_path = path_value(v, at + "server_info_path", name);
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
    if (key != "frameworks" && key != "models" && key != "all_frameworks")
      throw PresetError("presets file " + name + ": unknown top-level key '" + key +
                        "' (known: all_frameworks, frameworks, models)");
  }
  if (const YAML::Node all = root["all_frameworks"]) {
    presets.all_frameworks = argument_list(all, "all_frameworks", name);
    if (presets.all_frameworks.empty()) bad(name, "all_frameworks is empty: list at least one");
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

std::optional<std::vector<std::string>> Presets::expand_frameworks(const std::string& list,
                                                                   std::string& why) const {
  std::vector<std::string> names;
  auto add = [&](const std::string& item) {
    if (std::find(names.begin(), names.end(), item) == names.end()) names.push_back(item);
  };
  std::size_t start = 0;
  while (start <= list.size()) {
    const std::size_t end = std::min(list.find(',', start), list.size());
    std::string item = list.substr(start, end - start);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    start = end + 1;
    if (item.empty()) continue;
    if (item == "all") {
      for (const auto& fw : all_frameworks) add(fw);
      continue;
    }
    if (framework(item) == nullptr) {
      why = "unknown framework '" + item + "': choose 'all' (" +
            [&] {
              std::string joined;
              for (const auto& fw : all_frameworks) joined += (joined.empty() ? "" : ", ") + fw;
              return joined;
            }() +
            ") or a comma list of " + framework_names() + " (or add it to a presets file)";
      return std::nullopt;
    }
    add(item);
  }
  if (names.empty()) {
    why = "no framework given: choose 'all' or a comma list of " + framework_names();
    return std::nullopt;
  }
  for (const auto& fw : names)
    if (framework(fw) == nullptr) {
      why = "all_frameworks names '" + fw + "', which has no preset";
      return std::nullopt;
    }
  return names;
}

std::string Presets::resolve_model(const std::string& model, const std::string& framework) const {
  const auto it = models.find(model);
  if (it == models.end()) return model;
  const auto mapped = it->second.find(framework);
  return mapped == it->second.end() ? model : mapped->second;
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
