#pragma once
// Runs a program to completion for end-to-end tests and captures its exit code and output.
#include <string>
#include <vector>

namespace servemeter::testsupport {

struct ProcessResult {
  int exit_code = -1;  // 128 + signal when killed by a signal
  std::string out, err;
};

// Runs `argv` (argv[0] is a path) with a wall-clock limit; the child is killed at the limit.
ProcessResult run_process(const std::vector<std::string>& argv, double timeout_s = 120,
                          const std::vector<std::string>& extra_env = {});

}  // namespace servemeter::testsupport
