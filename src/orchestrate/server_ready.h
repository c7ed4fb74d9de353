#pragma once
// Waiting for a started server to answer its health check while it loads its model (minutes for
// a 20B model), with a progress line, and giving up early when the process exits.
#include <csignal>
#include <iosfwd>
#include <string>

#include "orchestrate/health_check.h"
#include "orchestrate/server_process.h"

namespace servemeter {

struct ReadyWaitOptions {
  std::string base_url;  // scheme://host:port
  std::string health_path;
  double timeout_s = 600;
  double poll_interval_s = 0.5;
  HealthOptions health;  // key, TLS, per-probe timeout (wait_s and stop are ignored)
  const volatile std::sig_atomic_t* stop = nullptr;  // non-zero (an interrupt): stop waiting
  std::ostream* progress = nullptr;                  // a progress line every progress_every_s
  double progress_every_s = 10;
};

enum class ReadyOutcome { healthy, timed_out, exited, interrupted };

struct ReadyResult {
  ReadyOutcome outcome = ReadyOutcome::timed_out;
  double seconds = 0;   // how long it took (or was waited)
  HealthResult last;    // the last health check
  ProcessEnd end;       // when outcome is exited
  std::string message;  // for anything but healthy: what happened, the log's tail, what to do
};

ReadyResult wait_until_ready(ServerProcess& server, const ReadyWaitOptions& options);

}  // namespace servemeter
