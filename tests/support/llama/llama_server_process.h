// A real llama.cpp llama-server for tests, started on a free loopback port.
//
//   auto server = LlamaServerProcess::start({.slots = 4, .context = 8192});
//   if (!server.unavailable_reason().empty()) GTEST_SKIP() << server.unavailable_reason();
//   ASSERT_TRUE(server.error().empty()) << server.error();
//   ... talk to server.base_url() ...
//
// The binary and model come from tests/support/llama/fetch-and-build.sh, found through (first
// match wins) the options, the environment variables LLAMA_SERVER_BIN and LLAMA_MODEL, the file
// named by SERVEMETER_LLAMA_ENV, or ${XDG_CACHE_HOME:-~/.cache}/servemeter/llama-cpp/<ver>/env.
// Not built: unavailable_reason() says so (skip). Built but failed to come up: error() says why,
// with the tail of the server's log (fail). The destructor stops the server (SIGTERM, SIGKILL)
// and deletes a log file it named itself, unless start failed or SERVEMETER_KEEP_LLAMA_LOGS is
// set; put log_tail() in assertion messages to see what the server said.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace servemeter::testsupport {

struct LlamaServerOptions {
  int slots = 4;                            // -np
  int context = 8192;                       // -c
  bool unified_kv = true;                   // -kvu: every slot may use the whole context
  std::vector<std::string> extra_args{};    // appended to the command line
  std::chrono::seconds health_timeout{60};  // until GET /health answers 200
  std::string server_bin{};                 // empty: from the environment / env file
  std::string model{};                      // empty: from the environment / env file
  std::string log_path{};                   // empty: a temporary file under $TMPDIR or /tmp
};

struct HttpResult {
  int status = 0;  // 0: no HTTP answer (connect failed, timeout)
  std::string body;
};

class LlamaServerProcess {
 public:
  static constexpr const char* kPackageVersion = "3.22.1";  // as in fetch-and-build.sh

  static LlamaServerProcess start(LlamaServerOptions options = {});
  // Finds the binary and model as start() does, without starting anything (for tests that start
  // llama-server their own way). Returns why they are unavailable, or an empty string.
  static std::string locate(std::string& server_bin, std::string& model);

  LlamaServerProcess(LlamaServerProcess&& other) noexcept;
  LlamaServerProcess& operator=(LlamaServerProcess&& other) noexcept;
  LlamaServerProcess(const LlamaServerProcess&) = delete;
  LlamaServerProcess& operator=(const LlamaServerProcess&) = delete;
  ~LlamaServerProcess();

  bool ok() const { return pid_ > 0 && reason_.empty() && error_.empty(); }
  const std::string& unavailable_reason() const { return reason_; }
  const std::string& error() const { return error_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::string& log_path() const { return log_path_; }
  const std::vector<std::string>& command() const { return argv_; }
  std::string log_tail(std::size_t max_bytes = 4000) const;

  // GET path on this server with a plain blocking socket (Connection: close).
  HttpResult get(const std::string& path) const { return http_get(port_, path); }
  static HttpResult http_get(int port, const std::string& path, int timeout_ms = 2000);
  static int free_loopback_port();  // bind 127.0.0.1:0, read the port, release it

  void stop();  // SIGTERM, SIGKILL after 5 s; idempotent

 private:
  LlamaServerProcess() = default;
  bool launch(const LlamaServerOptions& options, const std::string& bin, const std::string& model);

  pid_t pid_ = -1;
  int port_ = 0;
  std::string reason_;
  std::string error_;
  std::string log_path_;
  bool temporary_log_ = false;
  std::vector<std::string> argv_;
};

}  // namespace servemeter::testsupport
