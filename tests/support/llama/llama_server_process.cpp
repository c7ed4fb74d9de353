#include "llama_server_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>
#include <utility>

extern char** environ;

namespace servemeter::testsupport {
namespace {

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return (v != nullptr && *v != '\0') ? v : fallback;
}

std::map<std::string, std::string> read_env_file(const std::string& path) {
  std::map<std::string, std::string> kv;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (auto eq = line.find('='); eq != std::string::npos && line[0] != '#')
      kv[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return kv;
}

std::string tail_of(const std::string& path, std::size_t max_bytes = 2000) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  return s.size() > max_bytes ? "..." + s.substr(s.size() - max_bytes) : s;
}

}  // namespace

std::string LlamaServerProcess::log_tail(std::size_t max_bytes) const {
  return log_path_.empty() ? std::string() : tail_of(log_path_, max_bytes);
}

int LlamaServerProcess::free_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

HttpResult LlamaServerProcess::http_get(int port, const std::string& path, int timeout_ms) {
  HttpResult result;
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return result;
  timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string response;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    const std::string req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                            "\r\nConnection: close\r\n\r\n";
    if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size())) {
      char buf[4096];
      for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) response.append(buf, n);
    }
  }
  ::close(fd);
  // "HTTP/1.1 200 OK\r\n...\r\n\r\nbody" (llama-server answers these with Content-Length)
  if (response.rfind("HTTP/1.", 0) == 0 && response.size() > 12) {
    result.status = std::atoi(response.c_str() + 9);
    if (auto end = response.find("\r\n\r\n"); end != std::string::npos)
      result.body = response.substr(end + 4);
  }
  return result;
}

std::string LlamaServerProcess::locate(std::string& bin, std::string& model) {
  if (bin.empty()) bin = env_or("LLAMA_SERVER_BIN", "");
  if (model.empty()) model = env_or("LLAMA_MODEL", "");
  if (bin.empty() || model.empty()) {
    const std::string cache = env_or("XDG_CACHE_HOME", env_or("HOME", "/nonexistent") + "/.cache") +
                              "/servemeter/llama-cpp/" + kPackageVersion + "/env";
    const std::string env_file = env_or("SERVEMETER_LLAMA_ENV", cache);
    auto kv = read_env_file(env_file);
    if (bin.empty()) bin = kv["LLAMA_SERVER_BIN"];
    if (model.empty()) model = kv["LLAMA_MODEL"];
    if (bin.empty() || model.empty())
      return "llama-server not built: no usable " + env_file +
             " (run tests/support/llama/fetch-and-build.sh)";
  }
  if (::access(bin.c_str(), X_OK) != 0)
    return "llama-server binary " + bin + " is missing or not executable";
  if (::access(model.c_str(), R_OK) != 0) return "model " + model + " is missing or unreadable";
  return {};
}

LlamaServerProcess LlamaServerProcess::start(LlamaServerOptions options) {
  LlamaServerProcess p;
  std::string bin = options.server_bin;
  std::string model = options.model;
  p.reason_ = locate(bin, model);
  if (p.reason_.empty()) {
    for (int attempt = 0; attempt < 3 && !p.launch(options, bin, model); ++attempt) {
      // Only a lost race for the port is worth another try.
      if (tail_of(p.log_path_).find("couldn't bind") == std::string::npos) break;
    }
  }
  return p;
}

bool LlamaServerProcess::launch(const LlamaServerOptions& o, const std::string& bin,
                                const std::string& model) {
  stop();
  error_.clear();
  port_ = free_loopback_port();
  if (port_ == 0) return (error_ = "cannot find a free loopback port"), false;
  argv_ = {bin,
           "-m",
           model,
           "--host",
           "127.0.0.1",
           "--port",
           std::to_string(port_),
           "-c",
           std::to_string(o.context),
           "-np",
           std::to_string(o.slots),
           "--metrics"};
  if (o.unified_kv) argv_.push_back("-kvu");
  argv_.insert(argv_.end(), o.extra_args.begin(), o.extra_args.end());

  if (log_path_.empty()) log_path_ = o.log_path;
  int log_fd;
  if (log_path_.empty()) {
    std::string tmpl = env_or("TMPDIR", "/tmp") + "/llama-server-XXXXXX.log";
    log_fd = ::mkstemps(tmpl.data(), 4);
    log_path_ = tmpl;
    temporary_log_ = true;
  } else {
    log_fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  }
  if (log_fd < 0) return (error_ = "cannot create log file " + log_path_), false;

  // Everything the child needs is prepared before fork (no allocation after it).
  std::vector<char*> args;
  for (auto& a : argv_) args.push_back(a.data());
  args.push_back(nullptr);
  std::vector<char*> envp;  // drop LLAMA_ARG_* so the caller's environment cannot change flags
  for (char** e = environ; *e != nullptr; ++e)
    if (std::strncmp(*e, "LLAMA_ARG_", 10) != 0) envp.push_back(*e);
  envp.push_back(nullptr);
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);

  pid_ = ::fork();
  if (pid_ == 0) {
#ifdef __linux__
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // no orphaned servers if the test process dies
#endif
    ::dup2(null_fd, 0);
    ::dup2(log_fd, 1);
    ::dup2(log_fd, 2);
    ::execve(args[0], args.data(), envp.data());
    static const char msg[] = "llama_server_process: execve failed\n";
    (void)!::write(2, msg, sizeof msg - 1);
    ::_exit(127);
  }
  ::close(log_fd);
  if (null_fd >= 0) ::close(null_fd);
  if (pid_ < 0) return (error_ = std::string("fork failed: ") + std::strerror(errno)), false;

  const auto deadline = std::chrono::steady_clock::now() + o.health_timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      const std::string how = WIFSIGNALED(status)
                                  ? "killed by signal " + std::to_string(WTERMSIG(status))
                                  : "exited with code " + std::to_string(WEXITSTATUS(status));
      error_ = "llama-server " + how + " before /health answered 200; log " + log_path_ + ":\n" +
               tail_of(log_path_);
      return false;
    }
    if (http_get(port_, "/health", 1000).status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  error_ = "llama-server did not answer 200 on /health within " +
           std::to_string(o.health_timeout.count()) + " s; log " + log_path_ + ":\n" +
           tail_of(log_path_);
  stop();
  return false;
}

void LlamaServerProcess::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  for (int i = 0; i < 50; ++i) {
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

LlamaServerProcess::LlamaServerProcess(LlamaServerProcess&& other) noexcept {
  *this = std::move(other);
}

LlamaServerProcess& LlamaServerProcess::operator=(LlamaServerProcess&& other) noexcept {
  if (this != &other) {
    stop();
    pid_ = std::exchange(other.pid_, -1);
    port_ = other.port_;
    reason_ = std::move(other.reason_);
    error_ = std::move(other.error_);
    log_path_ = std::move(other.log_path_);
    temporary_log_ = std::exchange(other.temporary_log_, false);
    argv_ = std::move(other.argv_);
  }
  return *this;
}

LlamaServerProcess::~LlamaServerProcess() {
  stop();
  if (temporary_log_ && error_.empty() && std::getenv("SERVEMETER_KEEP_LLAMA_LOGS") == nullptr)
    ::unlink(log_path_.c_str());
}

}  // namespace servemeter::testsupport
