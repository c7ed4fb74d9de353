#include "telemetry/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "core/clock.h"

namespace servemeter::telemetry {
namespace {

constexpr std::size_t kMaxStderr = 4096;

struct Pipe {
  int read = -1;
  int write = -1;
  bool open() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return false;
    read = fds[0];
    write = fds[1];
    return true;
  }
  void close_read() {
    if (read >= 0) ::close(read);
    read = -1;
  }
  void close_write() {
    if (write >= 0) ::close(write);
    write = -1;
  }
  ~Pipe() {
    close_read();
    close_write();
  }
};

// Reaps `pid` within `limit_ns`; false when it is still running.
bool reap(pid_t pid, std::int64_t limit_ns, int& status) {
  const std::int64_t deadline = monotonic_ns() + limit_ns;
  while (true) {
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return true;
    if (r < 0 && errno != EINTR) return true;  // not ours any more: nothing to wait for
    if (monotonic_ns() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

}  // namespace

bool program_on_path(const std::string& program) {
  if (program.empty()) return false;
  if (program.find('/') != std::string::npos) return access(program.c_str(), X_OK) == 0;
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const std::size_t end = std::min(dirs.find(':', start), dirs.size());
    std::string dir = dirs.substr(start, end - start);
    if (dir.empty()) dir = ".";
    if (access((dir + "/" + program).c_str(), X_OK) == 0) return true;
    start = end + 1;
  }
  return false;
}

CommandResult run_command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                          std::size_t max_output) {
  CommandResult result;
  if (argv.empty()) {
    result.error = "no program given";
    return result;
  }
  // Everything the child needs is built before fork: after it, only async-signal-safe calls.
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  Pipe out, err, exec_status;
  if (!out.open() || !err.open() || !exec_status.open()) {
    result.error = std::string("cannot make a pipe: ") + std::strerror(errno);
    return result;
  }
  const pid_t pid = fork();
  if (pid < 0) {
    result.error = std::string("cannot start ") + argv[0] + ": " + std::strerror(errno);
    return result;
  }
  if (pid == 0) {
    const int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    dup2(out.write, STDOUT_FILENO);
    dup2(err.write, STDERR_FILENO);
    execvp(args[0], args.data());
    const int code = errno;
    [[maybe_unused]] const ssize_t ignored = ::write(exec_status.write, &code, sizeof code);
    _exit(127);
  }
  out.close_write();
  err.close_write();
  exec_status.close_write();
  fcntl(exec_status.read, F_SETFL, O_NONBLOCK);  // read once at the end; never wait on it

  const std::int64_t deadline = monotonic_ns() + std::chrono::nanoseconds(timeout).count();
  char buffer[16384];
  while (out.read >= 0 || err.read >= 0) {
    const std::int64_t left_ms = (deadline - monotonic_ns()) / 1'000'000;
    if (left_ms <= 0) {
      result.timed_out = true;
      break;
    }
    pollfd fds[2] = {{out.read, POLLIN, 0}, {err.read, POLLIN, 0}};
    const int ready = poll(fds, 2, static_cast<int>(std::min<std::int64_t>(left_ms, 1000)));
    if (ready < 0 && errno != EINTR) break;
    Pipe* pipes[2] = {&out, &err};
    for (int k = 0; k < 2; ++k) {
      if (fds[k].fd < 0 || fds[k].revents == 0) continue;
      const ssize_t n = ::read(fds[k].fd, buffer, sizeof buffer);
      if (n <= 0) {
        if (n == 0 || errno != EINTR) pipes[k]->close_read();
        continue;
      }
      std::string& sink = k == 0 ? result.out : result.err;
      const std::size_t cap = k == 0 ? max_output : kMaxStderr;
      if (sink.size() < cap) sink.append(buffer, std::min<std::size_t>(n, cap - sink.size()));
    }
  }

  int status = 0;
  bool reaped = false;
  if (!result.timed_out)
    reaped = reap(pid, std::max<std::int64_t>(deadline - monotonic_ns(), 0), status);
  if (!reaped) {
    result.timed_out = true;
    kill(pid, SIGKILL);
    // A process stuck in the driver may not even die at once; do not wait on it for ever.
    reaped = reap(pid, 1'000'000'000, status);
  }

  int exec_errno = 0;
  if (::read(exec_status.read, &exec_errno, sizeof exec_errno) == sizeof exec_errno) {
    result.error = std::string("cannot run ") + argv[0] + ": " + std::strerror(exec_errno);
    return result;
  }
  result.ran = true;
  if (result.timed_out) {
    result.error = argv[0] + " did not finish within " + std::to_string(timeout.count()) +
                   " ms and was stopped" + (reaped ? "" : " (it may still be running)");
    return result;
  }
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
    if (result.exit_code != 0)
      result.error = argv[0] + " exited with status " + std::to_string(result.exit_code);
  } else if (WIFSIGNALED(status)) {
    result.error = argv[0] + " was ended by signal " + std::to_string(WTERMSIG(status));
  }
  return result;
}

}  // namespace servemeter::telemetry
