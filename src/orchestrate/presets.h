#pragma once
// Framework and model presets, loaded from data/frameworks.yaml and an optional user file.
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace servemeter {

struct FrameworkPreset {
  std::string name;
  int port = 0;  // 0: no default, --base-url required
  std::string api;
  std::string health_path;
  std::string start_command;  // with {model} and {port} placeholders
  std::string sim_profile;
  bool model_check = true;  // the server 404s a model it does not serve
};

struct Presets {
  std::map<std::string, FrameworkPreset> frameworks;
  // model preset name -> framework name -> the model id that framework knows it by
  std::map<std::string, std::map<std::string, std::string>> models;

  const FrameworkPreset* framework(const std::string& name) const;
  std::string framework_names() const;  // "llamacpp, ollama, …" for messages
  // The model id to send to `framework`: the preset's mapping, or `model` unchanged.
  std::string resolve_model(const std::string& model, const std::string& framework) const;
  // The start command with {model} and {port} filled in.
  std::string start_command(const FrameworkPreset& preset, const std::string& model_id) const;
};

// A preset file that is missing or malformed: the message names the file and the bad key.
class PresetError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Loads `shipped`, then merges each of `overrides` (in order) over it. Throws PresetError for a
// file that is missing, not a regular readable file, not YAML, or not shaped as the shipped one
// (naming the file and the key).
Presets load_presets(const std::filesystem::path& shipped,
                     const std::vector<std::filesystem::path>& overrides = {});
// Merges YAML text over `presets`; `name` stands for the file in messages.
void merge_presets_text(Presets& presets, std::string_view yaml, const std::string& name);

// $XDG_CONFIG_HOME/servemeter/presets.yaml (or ~/.config/...) when something is there (a file
// that turns out unreadable is reported by load_presets, not skipped).
std::optional<std::filesystem::path> user_presets_file();

}  // namespace servemeter
