#pragma once
// Starting a program from a LaunchSpec: fork + execve with the argument vector (never a shell),
// in a process group of its own, stdin from /dev/null, stdout and stderr appended to one file.
#include <sys/types.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "orchestrate/presets.h"

namespace servemeter {

// The program could not be started; the message says which and what to do.
class SpawnError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The environment the program gets: ours, then the spec's variables, then the venv's bin/ first
// on PATH (and VIRTUAL_ENV set, PYTHONHOME dropped), as `source venv/bin/activate` would.
std::vector<std::string> child_environment(const LaunchSpec& spec);

// Where argv[0] resolves for that environment: a path with '/' as is (against the working
// directory), else the first executable file on the child's PATH. Empty when none.
std::string resolve_program(const LaunchSpec& spec);

// Starts `spec` with its output appended to `output` (created, with its folder). The child leads
// a new process group (pgid = pid), gets SIGTERM if servemeter dies (Linux), and starts with
// default signal dispositions and an empty signal mask. Throws SpawnError: a missing venv or
// working directory, a program not found or not executable, an output file that cannot be
// written.
pid_t spawn_process(const LaunchSpec& spec, const std::filesystem::path& output);

}  // namespace servemeter
