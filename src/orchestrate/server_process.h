#pragma once
// A framework's server as a child process: started from its preset's argument vector in a
// process group of its own (output appended to results/<framework>/server.log), watched while
// it loads, and stopped with SIGTERM to the whole group, then SIGKILL after a grace period.
//
// A ServerProcess is its own guard: its destructor stops the group. A signal handler cannot wait
// for destructors, so terminate_started_servers_from_signal() (async-signal-safe) sends SIGTERM
// to every group still running; the second Ctrl-C calls it.
#include <sys/types.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "orchestrate/presets.h"

namespace servemeter {

// The server could not be started (command not found, port taken, venv missing…); the message
// names the value and what to do.
class ServerStartError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ServerStartOptions {
  std::string framework;  // for messages
  LaunchSpec launch;
  std::string host = "127.0.0.1";  // with port: checked free before the start
  int port = 0;                    // 0: not checked
  std::filesystem::path log_file;  // appended to; results/<framework>/server.log
  // stop() without arguments, and the destructor: SIGKILL after this long (the preset's
  // stop_grace_s), or at once when *interrupt reaches 2 (the user's second Ctrl-C).
  std::chrono::milliseconds stop_grace{30'000};
  const volatile std::sig_atomic_t* interrupt = nullptr;
};

// How a process ended.
struct ProcessEnd {
  bool exited = false;  // by itself, with exit_status
  int exit_status = 0;
  int signal = 0;  // killed by this signal (when !exited)
  // "exited with status 1", "was killed by signal 9 (SIGKILL)"
  std::string describe() const;
};

struct StopReport {
  bool already_ended = false;   // it had ended before stop() was called
  bool sigkill_needed = false;  // still running after the grace period
  double seconds = 0;           // from SIGTERM until the group was gone
  ProcessEnd end;
  // "stopped by SIGTERM in 1.2 s", "did not stop within 30 s of SIGTERM: killed (SIGKILL)"…
  std::string describe() const;
};

class ServerProcess {
 public:
  // Checks the port (naming the process that holds it), then starts the command. Throws
  // ServerStartError.
  static std::unique_ptr<ServerProcess> start(const ServerStartOptions& options);
  ~ServerProcess();  // stop(), if it still runs
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  pid_t pid() const noexcept { return pid_; }  // also the process group id
  const std::string& framework() const noexcept { return framework_; }
  const std::filesystem::path& log_file() const noexcept { return log_file_; }
  const std::string& display_command() const noexcept { return display_; }

  // Has the server process ended? Never blocks; reaps it when it has.
  std::optional<ProcessEnd> poll();
  // SIGTERM to the group; SIGKILL to the group when it still runs after `grace` (or at once
  // when *hurry becomes 2: the user's second Ctrl-C); waits until the group is gone. Idempotent.
  StopReport stop(std::chrono::milliseconds grace, const volatile std::sig_atomic_t* hurry);
  // The same with the start options' stop_grace and interrupt.
  StopReport stop() { return stop(grace_, interrupt_); }
  StopReport stop(std::chrono::milliseconds grace) { return stop(grace, interrupt_); }

  // The last `lines` lines of the server log (at most ~8 KiB), for messages.
  std::string log_tail(std::size_t lines = 20) const;
  // The last non-empty line of the log, cut to fit a progress line.
  std::string last_log_line() const;

 private:
  ServerProcess() = default;
  pid_t pid_ = -1;
  std::string framework_;
  std::filesystem::path log_file_;
  std::string display_;
  std::optional<ProcessEnd> end_;
  std::optional<StopReport> stopped_;
  std::chrono::milliseconds grace_{30'000};
  const volatile std::sig_atomic_t* interrupt_ = nullptr;
};

// Async-signal-safe: SIGTERM to the process group of every ServerProcess still running.
void terminate_started_servers_from_signal() noexcept;

// The tail of a text file: its last `lines` lines within the last `max_bytes` bytes.
std::string file_tail(const std::filesystem::path& file, std::size_t lines,
                      std::size_t max_bytes = 8192);

}  // namespace servemeter
