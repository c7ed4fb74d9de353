#pragma once
// Framework and model presets, loaded from data/frameworks.yaml and an optional user file. A
// framework preset says how to reach its server (port, API, health path) and how to run it: the
// command as an argument vector, its environment, virtual environment and working directory.
// A new framework is a new entry; no code knows the shipped names.
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace servemeter {

// Where the framework's model comes from, which decides what pre-flight checks and whether the
// model is pulled through the server before a run.
enum class ModelSource {
  none,         // nothing to check (any OpenAI-compatible server)
  huggingface,  // a Hugging Face id, downloaded by the server into the HF cache
  ollama,       // pulled through the server's own API (POST /api/pull)
  file,         // a local file ({model_path}), e.g. a GGUF for llama-server
};
std::string_view to_string(ModelSource source) noexcept;

struct FrameworkPreset {
  std::string name;
  int port = 0;  // 0: no default, --base-url required
  std::string api;
  std::string health_path;
  std::string sim_profile;
  bool model_check = true;  // the server 404s a model it does not serve

  // How to start the server. Every element may hold the placeholders {model}, {model_path},
  // {host} and {port}; each is substituted inside its own element, never joined into a shell
  // line, so a value with spaces or shell characters stays one literal argument.
  std::vector<std::string> command;        // empty: servemeter cannot start this server
  std::map<std::string, std::string> env;  // set on top of servemeter's own environment
  std::string venv;                        // a virtual environment: its bin/ goes first on PATH
  std::string working_dir;                 // the server's current directory (empty: ours)
  std::string host = "127.0.0.1";          // the address it binds ({host})
  double health_timeout_s = 600;           // model loading takes minutes
  double stop_grace_s = 30;                // SIGTERM, then SIGKILL after this long
  std::vector<std::string> check_command;  // pre-flight: does the command work at all?
  ModelSource model_source = ModelSource::none;
  std::string cache_flush_path;  // POSTed to empty the prefix cache; empty: not supported
  std::string metrics_path;      // Prometheus text; empty: none
  std::string server_info_path;  // version / configuration document; empty: none
};

// The values substituted into a preset's command and environment.
struct LaunchValues {
  std::string model;       // {model}: the id the framework knows the model by
  std::string model_path;  // {model_path}: a local file; empty: the same as model
  int port = 0;            // {port}; 0: the preset's port
  std::string host;        // {host}; empty: the preset's host
};

// A preset's command made concrete: what the server process is started with.
struct LaunchSpec {
  std::vector<std::string> argv;                         // argv[0] looked up on PATH
  std::vector<std::pair<std::string, std::string>> env;  // in name order
  std::filesystem::path working_dir;                     // empty: ours
  std::filesystem::path venv;                            // empty: none; else absolute
};

struct Presets {
  std::map<std::string, FrameworkPreset> frameworks;
  // model preset name -> framework name -> the model id that framework knows it by
  std::map<std::string, std::map<std::string, std::string>> models;
  // What `all` means on the command line, in the order a suite runs them (the runbook's).
  std::vector<std::string> all_frameworks;

  const FrameworkPreset* framework(const std::string& name) const;
  std::string framework_names() const;  // "llamacpp, ollama, …" for messages
  // "all" or a comma list ("vllm,llamacpp") as preset names, in order, each once. Unknown
  // names or an empty list: nullopt, with `why` naming the value and the choices.
  std::optional<std::vector<std::string>> expand_frameworks(const std::string& list,
                                                            std::string& why) const;
  // The model id to send to `framework`: the preset's mapping, or `model` unchanged.
  std::string resolve_model(const std::string& model, const std::string& framework) const;
  // For messages only: the start command as a person would type it (working directory, venv
  // activation, environment, then the arguments, each shell-quoted). Empty when the preset has
  // no command.
  std::string start_command(const FrameworkPreset& preset, const std::string& model_id) const;
  std::string start_command(const FrameworkPreset& preset, const LaunchValues& values) const;
};

// The preset's command with the placeholders filled in. A relative venv is resolved against the
// working directory (or ours).
LaunchSpec launch_spec(const FrameworkPreset& preset, const LaunchValues& values);
// The same for the pre-flight check command (empty argv when the preset has none).
LaunchSpec check_spec(const FrameworkPreset& preset, const LaunchValues& values);
// `spec` as one display line (see Presets::start_command).
std::string display_command(const LaunchSpec& spec);
// One argument quoted for a POSIX shell, for display: plain words stay as they are.
std::string shell_quote(std::string_view argument);

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
