// The presets loader on a hostile user presets file: load_presets may reject it only with
// PresetError (a message naming the file and the bad key); any other exception that escapes, and
// any sanitizer report, is a finding. The input is loaded alone and merged over itself, and the
// presets it yields are used the way `servemeter run` uses them.
//
// load_presets reads files: the input is written to an in-memory file (memfd) and loaded through
// its /proc/self/fd path, so no disk is touched; merge_presets_text takes it as text too.

#include <cstdint>
#include <string>

#include "fuzz_reads.h"
#include "orchestrate/presets.h"

namespace servemeter::fuzz {
namespace {

void use(const Presets& presets) {
  presets.framework_names();
  for (const auto& [name, preset] : presets.frameworks) {
    check(presets.framework(name) == &preset,
          "Presets::framework does not find a loaded framework");
    const std::string model = presets.resolve_model("llama3.1-8b", name);
    presets.start_command(preset, model);
    const LaunchSpec spec = launch_spec(preset, {model, "/m/x.gguf", 0, {}});
    check(spec.argv.size() == preset.command.size(), "launch_spec changed the argument count");
    check(spec.env.size() == preset.env.size(), "launch_spec changed the environment's size");
    display_command(spec);
    check(check_spec(preset, {model, {}, 1, "h"}).argv.size() == preset.check_command.size(),
          "check_spec changed the argument count");
  }
  std::string why;
  presets.expand_frameworks("all", why);
  presets.expand_frameworks(presets.framework_names(), why);
  for (const auto& [model, per_framework] : presets.models) {
    for (const auto& [framework, id] : per_framework) {
      check(presets.resolve_model(model, framework) == id, "resolve_model ignores a mapping");
    }
  }
}

}  // namespace
}  // namespace servemeter::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace servemeter;
  static fuzz::MemoryFile file("fuzz-presets.yaml");
  file.write(data, size);
  const std::string path = file.path();
  try {
    fuzz::use(load_presets(path));
    fuzz::use(load_presets(path, {path}));
    Presets direct;
    merge_presets_text(direct, {reinterpret_cast<const char*>(data), size}, "fuzz");
    fuzz::use(direct);
  } catch (const PresetError&) {
    // Rejected with the documented error.
  }
  return 0;
}
