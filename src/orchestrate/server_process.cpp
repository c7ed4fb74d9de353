#include "orchestrate/server_process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <thread>
#include <vector>

#include "orchestrate/port_owner.h"
#include "orchestrate/spawn.h"

namespace servemeter {
namespace {

using Clock = std::chrono::steady_clock;

// Process groups of the servers now running, for the signal handler. Lock-free atomics are
// async-signal-safe; a slot holds 0 when free.
std::array<std::atomic<pid_t>, 8> g_running_groups{};
static_assert(std::atomic<pid_t>::is_always_lock_free);

void register_group(pid_t group) {
  for (auto& slot : g_running_groups) {
    pid_t expected = 0;
    if (slot.compare_exchange_strong(expected, group)) return;
  }
  // More than 8 servers at once: the destructors still stop the others.
}

void unregister_group(pid_t group) {
  for (auto& slot : g_running_groups) {
    pid_t expected = group;
    slot.compare_exchange_strong(expected, 0);
  }
}

std::string signal_name(int signal) {
  const char* abbreviation = sigabbrev_np(signal);
  return abbreviation != nullptr ? std::string("SIG") + abbreviation : std::string("unknown");
}

ProcessEnd end_from_status(int status) {
  ProcessEnd end;
  if (WIFEXITED(status)) {
    end.exited = true;
    end.exit_status = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    end.signal = WTERMSIG(status);
  }
  return end;
}

// Whether any process of the group is still there (zombies awaiting their reaper count as
// gone: they hold no memory and run nothing).
bool group_alive(pid_t group) {
  if (::kill(-group, 0) != 0) return errno == EPERM;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // pid (comm) state ppid pgrp …: comm may hold spaces and parentheses, so read after the last
    // ')'.
    const auto close = line.rfind(')');
    if (close == std::string::npos) continue;
    char state = 0;
    long ppid = 0, pgrp = 0;
    if (std::sscanf(line.c_str() + close + 1, " %c %ld %ld", &state, &ppid, &pgrp) != 3) continue;
    if (pgrp == group && state != 'Z' && state != 'X') return true;
  }
  return false;
}

}  // namespace

std::string ProcessEnd::describe() const {
  if (exited) return "exited with status " + std::to_string(exit_status);
  return "was killed by signal " + std::to_string(signal) + " (" + signal_name(signal) + ")";
}

std::string StopReport::describe() const {
  char seconds_text[32];
  std::snprintf(seconds_text, sizeof seconds_text, "%.1f s", seconds);
  if (already_ended) return "had already ended: it " + end.describe();
  if (sigkill_needed)
    return std::string(
               "did not stop within the grace period after SIGTERM; killed with SIGKILL (") +
           seconds_text + ")";
  return std::string("stopped after SIGTERM in ") + seconds_text + " (it " + end.describe() + ")";
}

std::unique_ptr<ServerProcess> ServerProcess::start(const ServerStartOptions& options) {
  const std::string who = options.framework.empty() ? "server" : options.framework + " server";
  if (options.port > 0) {
    const PortCheck port = check_port(options.host, options.port);
    if (!port.free)
      throw ServerStartError("cannot start the " + who + ": " +
                             port_in_use_message(options.port, port.owner));
  }
  std::unique_ptr<ServerProcess> process(new ServerProcess);
  process->framework_ = options.framework;
  process->log_file_ = options.log_file;
  process->display_ = servemeter::display_command(options.launch);
  process->grace_ = options.stop_grace;
  process->interrupt_ = options.interrupt;
  {
    // A header line in the log, so each start is easy to find in a file that accumulates.
    std::error_code ec;
    std::filesystem::create_directories(options.log_file.parent_path(), ec);
    std::ofstream log(options.log_file, std::ios::app);
    log << "==== servemeter: starting " << who << ": " << process->display_ << "\n";
  }
  try {
    process->pid_ = spawn_process(options.launch, options.log_file);
  } catch (const SpawnError& e) {
    throw ServerStartError("cannot start the " + who + ": " + e.what());
  }
  register_group(process->pid_);
  return process;
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0 && !stopped_) stop();
}

std::optional<ProcessEnd> ServerProcess::poll() {
  if (end_ || pid_ <= 0) return end_;
  int status = 0;
  pid_t r;
  do {
    r = ::waitpid(pid_, &status, WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == pid_) end_ = end_from_status(status);
  return end_;
}

StopReport ServerProcess::stop(std::chrono::milliseconds grace,
                               const volatile std::sig_atomic_t* hurry) {
  if (stopped_) return *stopped_;
  StopReport report;
  if (pid_ <= 0) return report;
  const bool leader_ended = poll().has_value();
  const auto began = Clock::now();
  report.already_ended = leader_ended && !group_alive(pid_);
  if (!report.already_ended) {
    ::kill(-pid_, SIGTERM);
    const auto deadline = began + grace;
    while (true) {
      const bool gone = poll().has_value() && !group_alive(pid_);
      if (gone) break;
      if (Clock::now() >= deadline || (hurry != nullptr && *hurry >= 2)) {
        report.sigkill_needed = true;
        ::kill(-pid_, SIGKILL);
        // A process stuck in the kernel may take a moment even now; do not wait for ever.
        const auto kill_deadline = Clock::now() + std::chrono::seconds(10);
        while ((!poll() || group_alive(pid_)) && Clock::now() < kill_deadline)
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  report.seconds = std::chrono::duration<double>(Clock::now() - began).count();
  if (end_) report.end = *end_;
  unregister_group(pid_);
  stopped_ = report;
  return report;
}

std::string file_tail(const std::filesystem::path& file, std::size_t lines, std::size_t max_bytes) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return {};
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  const std::streamoff from = size > static_cast<std::streamoff>(max_bytes)
                                  ? size - static_cast<std::streamoff>(max_bytes)
                                  : 0;
  in.seekg(from);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (from > 0) {
    const auto newline = text.find('\n');
    text = newline == std::string::npos ? text : text.substr(newline + 1);
  }
  std::vector<std::string> all;
  std::size_t begin = 0;
  while (begin < text.size()) {
    const std::size_t end = std::min(text.find('\n', begin), text.size());
    std::string line = text.substr(begin, end - begin);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    all.push_back(std::move(line));
    begin = end + 1;
  }
  while (!all.empty() && all.back().empty()) all.pop_back();
  std::string tail;
  for (std::size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i)
    tail += (tail.empty() ? "" : "\n") + all[i];
  return tail;
}

std::string ServerProcess::log_tail(std::size_t lines) const {
  return file_tail(log_file_, lines);
}

std::string ServerProcess::last_log_line() const {
  std::string line = file_tail(log_file_, 1, 4096);
  // Progress bars redraw with '\r': the last redraw is what a terminal would show.
  if (const auto cr = line.rfind('\r'); cr != std::string::npos) line = line.substr(cr + 1);
  constexpr std::size_t kMax = 120;
  if (line.size() > kMax) {
    std::size_t cut = kMax;
    while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
    line = line.substr(0, cut) + "…";
  }
  return line;
}

void terminate_started_servers_from_signal() noexcept {
  for (auto& slot : g_running_groups) {
    const pid_t group = slot.load();
    if (group > 0) ::kill(-group, SIGTERM);
  }
}

}  // namespace servemeter
