#pragma once
// One framework's server brought up for a suite, from its preset: started in its own process
// group (ServerProcess, output appended to results/<framework>/server.log), waited for until
// healthy with a progress line (wait_until_ready), and for Ollama the model pulled through the
// server's API (ensure_ollama_model). Stopping it is ServerProcess::stop; waiting for the GPU's
// memory afterwards is wait_for_gpu_release.
#include <csignal>
#include <filesystem>
#include <iosfwd>
#include <memory>
#include <string>

#include "orchestrate/presets.h"
#include "orchestrate/server_process.h"

namespace servemeter {

struct FrameworkServerOptions {
  std::string framework;
  const FrameworkPreset* preset = nullptr;
  LaunchValues values;  // the model id ({model}) and file ({model_path}); port/host: the preset's
  std::filesystem::path log_file;
  std::string api_key;                                    // for the health check and the pull
  const volatile std::sig_atomic_t* interrupt = nullptr;  // Ctrl-C: stop waiting
  std::ostream* progress = nullptr;                       // health-wait and pull progress lines
  double progress_every_s = 10;
  double poll_interval_s = 0.25;
};

struct FrameworkServer {
  std::unique_ptr<ServerProcess> process;  // null when it could not be started
  std::string base_url;                    // http://127.0.0.1:<port> (how we reach it)
  bool ready = false;                      // healthy, and the model is there
  bool interrupted = false;                // Ctrl-C while starting
  double seconds_to_ready = 0;
  std::string failure;  // not ready: what went wrong, the log's tail, what to do
};

// Starts the preset's command and waits until it serves. Never throws for what a real machine
// does (command not found, port taken, never healthy, exits while loading): `failure` says it,
// and a started process is stopped before returning.
FrameworkServer bring_up_server(const FrameworkServerOptions& options);

// For a server that ended by itself (a crash mid-run): "the vllm server (pid 1234) was killed by
// signal 9 (SIGKILL). Last lines of results/vllm/server.log: …". Empty while it still runs.
std::string describe_ended_server(ServerProcess& server);

}  // namespace servemeter
