#pragma once
// Runs a program for end-to-end tests and captures its exit code and output: to completion
// (run_process), or started now and collected later (Child), so a test can signal it or change
// the world around it while it runs.
#include <sys/types.h>

#include <string>
#include <vector>

namespace servemeter::testsupport {

struct ProcessResult {
  int exit_code = -1;  // 128 + signal when killed by a signal
  std::string out, err;
  double wall_s = 0;  // from start to exit
};

// A running child with its stdout and stderr in pipes. The destructor kills (SIGKILL) and reaps
// a child never waited for.
class Child {
 public:
  // `extra_env`: NAME=VALUE entries added to (or replacing in) the inherited environment.
  explicit Child(const std::vector<std::string>& argv,
                 const std::vector<std::string>& extra_env = {});
  ~Child();
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }
  void signal(int sig) const;
  // The next line of its stdout (without the newline), read now; empty at the limit or EOF.
  // What is read here is also in wait()'s `out`.
  std::string read_line(double timeout_s = 30);
  // Reads its output until it exits; kills it (SIGKILL) at the limit, counted from now.
  ProcessResult wait(double timeout_s = 120);

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1, err_fd_ = -1;
  std::string out_;  // stdout read by read_line
  bool waited_ = false;
  double started_s_ = 0;
};

// Runs `argv` (argv[0] is a path) with a wall-clock limit; the child is killed at the limit.
ProcessResult run_process(const std::vector<std::string>& argv, double timeout_s = 120,
                          const std::vector<std::string>& extra_env = {});

}  // namespace servemeter::testsupport
