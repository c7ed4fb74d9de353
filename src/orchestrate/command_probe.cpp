#include "orchestrate/command_probe.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

#include "orchestrate/server_process.h"
#include "orchestrate/spawn.h"

namespace servemeter {

CommandProbeResult run_command_probe(const LaunchSpec& spec, std::chrono::milliseconds timeout) {
  CommandProbeResult result;
  std::error_code ec;
  std::string name =
      (std::filesystem::temp_directory_path(ec) / "servemeter-check-XXXXXX").string();
  const int fd = ::mkstemp(name.data());
  if (fd < 0) {
    result.error = "cannot create a temporary file for the command's output";
    return result;
  }
  ::close(fd);
  const std::filesystem::path output = name;
  pid_t pid = -1;
  try {
    pid = spawn_process(spec, output);
  } catch (const SpawnError& e) {
    result.error = e.what();
    std::filesystem::remove(output, ec);
    return result;
  }
  result.started = true;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  // Wait without reaping, so the group id cannot be reused before the group is killed.
  while (true) {
    siginfo_t info{};
    const int r = ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT);
    if (r == 0 && info.si_pid == pid) {
      if (info.si_code == CLD_EXITED) result.exit_status = info.si_status;
      break;
    }
    if (r != 0 && errno != EINTR) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      result.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(-pid, SIGKILL);  // at the limit, or anything it left running in its group
  ::waitpid(pid, nullptr, 0);
  result.output = file_tail(output, 5, 2048);
  std::filesystem::remove(output, ec);
  return result;
}

}  // namespace servemeter
