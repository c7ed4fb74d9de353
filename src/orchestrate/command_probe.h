#pragma once
// Runs a short command from a LaunchSpec (the pre-flight's `python3 -c 'import sglang'`) with
// the framework's venv and environment, an argument vector, and a time limit.
#include <chrono>
#include <string>

#include "orchestrate/presets.h"

namespace servemeter {

struct CommandProbeResult {
  bool started = false;    // false: error says why (not found, venv missing…)
  bool timed_out = false;  // still running at the limit: its process group was killed
  int exit_status = -1;    // when it exited by itself
  std::string output;      // the last lines of its stdout + stderr
  std::string error;
};

CommandProbeResult run_command_probe(const LaunchSpec& spec, std::chrono::milliseconds timeout);

}  // namespace servemeter
