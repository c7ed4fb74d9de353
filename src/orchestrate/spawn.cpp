#include "orchestrate/spawn.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <cerrno>
#include <cstring>
#include <map>

extern char** environ;

namespace servemeter {
namespace {

// What the child reports through the close-on-exec pipe when it cannot exec.
struct ChildFailure {
  int stage = 0;  // 1: chdir, 2: execve
  int error = 0;
};

bool is_executable_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

std::string env_value(const std::vector<std::string>& env, const std::string& name) {
  for (const auto& entry : env)
    if (entry.size() > name.size() && entry.compare(0, name.size(), name) == 0 &&
        entry[name.size()] == '=')
      return entry.substr(name.size() + 1);
  return {};
}

[[noreturn]] void child_fail(int pipe_fd, int stage) {
  const ChildFailure failure{stage, errno};
  [[maybe_unused]] const ssize_t ignored = ::write(pipe_fd, &failure, sizeof failure);
  ::_exit(127);
}

}  // namespace

std::vector<std::string> child_environment(const LaunchSpec& spec) {
  std::map<std::string, std::string> vars;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string entry = *e;
    const auto eq = entry.find('=');
    if (eq != std::string::npos) vars[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  for (const auto& [name, value] : spec.env) vars[name] = value;
  if (!spec.venv.empty()) {
    const std::string bin = (spec.venv / "bin").string();
    const auto path = vars.find("PATH");
    vars["PATH"] = path == vars.end() || path->second.empty() ? bin : bin + ":" + path->second;
    vars["VIRTUAL_ENV"] = spec.venv.string();
    vars.erase("PYTHONHOME");
  }
  std::vector<std::string> env;
  for (const auto& [name, value] : vars) env.push_back(name + "=" + value);
  return env;
}

std::string resolve_program(const LaunchSpec& spec) {
  if (spec.argv.empty() || spec.argv.front().empty()) return {};
  const std::string& program = spec.argv.front();
  if (program.find('/') != std::string::npos) {
    std::filesystem::path path = program;
    if (path.is_relative() && !spec.working_dir.empty()) path = spec.working_dir / path;
    return is_executable_file(path.string()) ? path.string() : std::string();
  }
  std::string dirs = env_value(child_environment(spec), "PATH");
  if (dirs.empty()) dirs = "/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const std::size_t end = std::min(dirs.find(':', start), dirs.size());
    std::filesystem::path dir = dirs.substr(start, end - start);
    if (dir.empty()) dir = ".";
    if (dir.is_relative() && !spec.working_dir.empty()) dir = spec.working_dir / dir;
    const std::string candidate = (dir / program).string();
    if (is_executable_file(candidate)) return candidate;
    start = end + 1;
  }
  return {};
}

pid_t spawn_process(const LaunchSpec& spec, const std::filesystem::path& output) {
  if (spec.argv.empty() || spec.argv.front().empty())
    throw SpawnError("no command to run: the preset's 'command' is empty");
  const std::string& program = spec.argv.front();
  std::error_code ec;
  if (!spec.working_dir.empty() && !std::filesystem::is_directory(spec.working_dir, ec))
    throw SpawnError("working directory " + spec.working_dir.string() +
                     " does not exist: create it, or fix 'working_dir' in your presets");
  if (!spec.venv.empty() && !std::filesystem::is_directory(spec.venv / "bin", ec))
    throw SpawnError("virtual environment " + spec.venv.string() +
                     " not found (no bin/ folder there): create it (e.g. `uv venv " +
                     spec.venv.string() +
                     "` and install the framework), or fix 'venv' in your presets");
  const std::string path = resolve_program(spec);
  if (path.empty()) {
    if (program.find('/') != std::string::npos)
      throw SpawnError("command not found: " + program +
                       " is not an executable file; install it or fix 'command' in your presets");
    throw SpawnError(
        "command not found: '" + program + "' is not on PATH" +
        (spec.venv.empty() ? std::string() : " (with " + (spec.venv / "bin").string() + " first)") +
        "; install it, or fix 'command' / 'venv' in your presets");
  }

  std::filesystem::create_directories(output.parent_path().empty() ? "." : output.parent_path(),
                                      ec);
  const int log_fd = ::open(output.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0)
    throw SpawnError("cannot write the server log " + output.string() + ": " +
                     std::strerror(errno) + "; check the results folder's permissions");
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  int status_pipe[2];
  if (::pipe2(status_pipe, O_CLOEXEC) != 0) {
    const int error = errno;
    ::close(log_fd);
    if (null_fd >= 0) ::close(null_fd);
    throw SpawnError(std::string("cannot start ") + program + ": " + std::strerror(error));
  }

  // Everything the child touches is built before fork: after it, only async-signal-safe calls.
  const std::vector<std::string> env = child_environment(spec);
  std::vector<char*> envp;
  for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  std::vector<char*> argv;
  for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const std::string dir = spec.working_dir.string();
  const pid_t parent = ::getpid();

  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
#ifdef __linux__
    // If servemeter dies without stopping it (kill -9), the server is told to stop too. The
    // signal is tied to the thread that forked; servemeter starts servers from its main thread.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(127);
#endif
    struct sigaction default_action {};
    default_action.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &default_action, nullptr);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    if (!dir.empty() && ::chdir(dir.c_str()) != 0) child_fail(status_pipe[1], 1);
    if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    ::execve(path.c_str(), argv.data(), envp.data());
    child_fail(status_pipe[1], 2);
  }
  const int fork_error = errno;
  ::close(status_pipe[1]);
  ::close(log_fd);
  if (null_fd >= 0) ::close(null_fd);
  if (pid < 0) {
    ::close(status_pipe[0]);
    throw SpawnError("cannot start " + program + ": " + std::strerror(fork_error));
  }
  ::setpgid(pid, pid);  // also here, so the group exists whichever side runs first

  ChildFailure failure;
  ssize_t got;
  do {
    got = ::read(status_pipe[0], &failure, sizeof failure);
  } while (got < 0 && errno == EINTR);
  ::close(status_pipe[0]);
  if (got == static_cast<ssize_t>(sizeof failure)) {
    ::waitpid(pid, nullptr, 0);
    if (failure.stage == 1)
      throw SpawnError("cannot enter the working directory " + dir + ": " +
                       std::strerror(failure.error));
    throw SpawnError("cannot run " + path + ": " + std::strerror(failure.error) +
                     (failure.error == ENOEXEC ? " (not a program this machine can run)" : ""));
  }
  return pid;
}

}  // namespace servemeter
