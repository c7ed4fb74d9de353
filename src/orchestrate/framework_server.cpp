#include "orchestrate/framework_server.h"

#include <cmath>

#include "orchestrate/ollama_pull.h"
#include "orchestrate/server_ready.h"

namespace servemeter {
namespace {

// A server bound to every address is reached on loopback.
std::string connect_host(const std::string& host) {
  if (host.empty() || host == "0.0.0.0" || host == "::" || host == "[::]") return "127.0.0.1";
  return host.find(':') != std::string::npos && host.front() != '[' ? "[" + host + "]" : host;
}

std::string log_excerpt(const ServerProcess& server) {
  const std::string tail = server.log_tail(20);
  if (tail.empty()) return " Its log " + server.log_file().string() + " is empty.";
  return " Last lines of " + server.log_file().string() + ":\n" + tail;
}

}  // namespace

FrameworkServer bring_up_server(const FrameworkServerOptions& o) {
  FrameworkServer up;
  const FrameworkPreset& preset = *o.preset;
  if (preset.command.empty()) {
    up.failure = "the " + o.framework +
                 " preset has no 'command', so servemeter cannot start its server: add one to "
                 "your presets, or start the server yourself and use --attach";
    return up;
  }
  ServerStartOptions start;
  start.framework = o.framework;
  start.launch = launch_spec(preset, o.values);
  start.host = preset.host;
  start.port = o.values.port != 0 ? o.values.port : preset.port;
  start.log_file = o.log_file;
  start.stop_grace = std::chrono::milliseconds(std::llround(preset.stop_grace_s * 1000));
  start.interrupt = o.interrupt;
  try {
    up.process = ServerProcess::start(start);
  } catch (const ServerStartError& e) {
    up.failure = e.what();
    return up;
  }
  up.base_url = "http://" + connect_host(preset.host) + ":" + std::to_string(start.port);
  if (o.progress != nullptr)
    *o.progress << "started the " << o.framework << " server (pid " << up.process->pid()
                << "): " << up.process->display_command() << "\n  output: " << o.log_file.string()
                << "\n  waiting up to " << preset.health_timeout_s << " s for " << up.base_url
                << preset.health_path << std::endl;

  ReadyWaitOptions ready;
  ready.base_url = up.base_url;
  ready.health_path = preset.health_path;
  ready.timeout_s = preset.health_timeout_s;
  ready.poll_interval_s = o.poll_interval_s;
  ready.health.api_key = o.api_key;
  ready.stop = o.interrupt;
  ready.progress = o.progress;
  ready.progress_every_s = o.progress_every_s;
  const ReadyResult result = wait_until_ready(*up.process, ready);
  up.seconds_to_ready = result.seconds;
  if (result.outcome != ReadyOutcome::healthy) {
    up.interrupted = result.outcome == ReadyOutcome::interrupted;
    up.failure = result.message;
    return up;
  }
  if (preset.model_source == ModelSource::ollama) {
    PullOptions pull;
    pull.api_key = o.api_key;
    pull.progress = o.progress;
    pull.stop = o.interrupt;
    const PullResult pulled = ensure_ollama_model(up.base_url, o.values.model, pull);
    if (!pulled.ok) {
      up.interrupted = o.interrupt != nullptr && *o.interrupt != 0;
      up.failure = pulled.message;
      return up;
    }
  }
  up.ready = true;
  return up;
}

std::string describe_ended_server(ServerProcess& server) {
  const auto end = server.poll();
  if (!end) return {};
  return "the " + server.framework() + " server (pid " + std::to_string(server.pid()) + ") " +
         end->describe() + "." + log_excerpt(server);
}

}  // namespace servemeter
