#pragma once
// Runs a program (nvidia-smi) with an argument vector, never through a shell, with a time limit
// and bounded output, so a hung or chatty driver tool cannot hang or flood the caller.
#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace servemeter::telemetry {

struct CommandResult {
  bool ran = false;        // false: it could not be started (see error)
  bool timed_out = false;  // killed at the limit
  int exit_code = -1;      // the program's exit status; -1 when it did not exit by itself
  std::string out;         // standard output, at most max_output bytes
  std::string err;         // standard error, at most 4 KiB
  std::string error;       // why it did not run or did not finish; empty otherwise
};

// argv[0] is looked up on PATH unless it holds a '/'. Never throws.
CommandResult run_command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                          std::size_t max_output = 1 << 20);

// Whether `program` names an executable file, directly (with a '/') or on PATH.
bool program_on_path(const std::string& program);

}  // namespace servemeter::telemetry
