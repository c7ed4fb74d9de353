// A framework preset's command made concrete: placeholders filled in per argument, and the
// display form for messages.
#include <string>
#include <string_view>
#include <utility>

#include "orchestrate/presets.h"

namespace servemeter {
namespace {

// One left-to-right pass: a substituted value is never scanned again, so a model id holding
// "{port}" stays as it is.
std::string fill(const std::string& text, const LaunchValues& v) {
  const std::pair<std::string_view, std::string> values[] = {{"{model_path}", v.model_path},
                                                             {"{model}", v.model},
                                                             {"{host}", v.host},
                                                             {"{port}", std::to_string(v.port)}};
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    bool replaced = false;
    for (const auto& [placeholder, value] : values) {
      if (text.compare(i, placeholder.size(), placeholder) == 0) {
        out += value;
        i += placeholder.size();
        replaced = true;
        break;
      }
    }
    if (!replaced) out += text[i++];
  }
  return out;
}

LaunchValues complete(const FrameworkPreset& preset, LaunchValues values) {
  if (values.port == 0) values.port = preset.port;
  if (values.host.empty()) values.host = preset.host;
  if (values.model_path.empty()) values.model_path = values.model;
  return values;
}

LaunchSpec spec_for(const FrameworkPreset& preset, const std::vector<std::string>& argv,
                    const LaunchValues& given) {
  const LaunchValues values = complete(preset, given);
  LaunchSpec spec;
  for (const auto& argument : argv) spec.argv.push_back(fill(argument, values));
  for (const auto& [name, value] : preset.env) spec.env.emplace_back(name, fill(value, values));
  if (!preset.working_dir.empty()) spec.working_dir = preset.working_dir;
  if (!preset.venv.empty()) {
    std::filesystem::path venv = preset.venv;
    if (venv.is_relative()) {
      std::error_code ec;
      const auto base =
          spec.working_dir.empty() ? std::filesystem::current_path(ec) : spec.working_dir;
      venv = base / venv;
    }
    spec.venv = venv.lexically_normal();
  }
  return spec;
}

}  // namespace

std::string_view to_string(ModelSource source) noexcept {
  switch (source) {
    case ModelSource::huggingface:
      return "huggingface";
    case ModelSource::ollama:
      return "ollama";
    case ModelSource::file:
      return "file";
    case ModelSource::none:
      break;
  }
  return "none";
}

LaunchSpec launch_spec(const FrameworkPreset& preset, const LaunchValues& values) {
  return spec_for(preset, preset.command, values);
}

LaunchSpec check_spec(const FrameworkPreset& preset, const LaunchValues& values) {
  return spec_for(preset, preset.check_command, values);
}

std::string shell_quote(std::string_view argument) {
  constexpr std::string_view kPlain =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-";
  if (!argument.empty() && argument.find_first_not_of(kPlain) == std::string_view::npos)
    return std::string(argument);
  std::string quoted = "'";
  for (const char c : argument) {
    if (c == '\'')
      quoted += "'\\''";
    else
      quoted += c;
  }
  return quoted + "'";
}

std::string display_command(const LaunchSpec& spec) {
  if (spec.argv.empty()) return {};
  std::string line;
  if (!spec.working_dir.empty()) line += "cd " + shell_quote(spec.working_dir.string()) + " && ";
  if (!spec.venv.empty())
    line += ". " + shell_quote((spec.venv / "bin" / "activate").string()) + " && ";
  for (const auto& [name, value] : spec.env) line += name + "=" + shell_quote(value) + " ";
  for (std::size_t i = 0; i < spec.argv.size(); ++i)
    line += (i == 0 ? "" : " ") + shell_quote(spec.argv[i]);
  return line;
}

std::string Presets::start_command(const FrameworkPreset& preset,
                                   const std::string& model_id) const {
  return start_command(preset, LaunchValues{model_id, {}, 0, {}});
}

std::string Presets::start_command(const FrameworkPreset& preset,
                                   const LaunchValues& values) const {
  // The venv is shown as the preset has it (relative to where the user stands), not resolved.
  LaunchSpec spec = launch_spec(preset, values);
  if (!preset.venv.empty()) spec.venv = preset.venv;
  return display_command(spec);
}

}  // namespace servemeter
