#include "orchestrate/server_ready.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ostream>
#include <thread>

namespace servemeter {
namespace {

using Clock = std::chrono::steady_clock;

std::string whole_seconds(double seconds) {
  return std::to_string(std::llround(seconds)) + " s";
}

std::string limit_seconds(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%g s", seconds);
  return text;
}

std::string server_name(const ServerProcess& server) {
  return (server.framework().empty() ? std::string("the") : "the " + server.framework()) +
         " server (pid " + std::to_string(server.pid()) + ")";
}

std::string log_excerpt(const ServerProcess& server) {
  const std::string tail = server.log_tail(20);
  if (tail.empty()) return " Its log " + server.log_file().string() + " is empty.";
  return " Last lines of " + server.log_file().string() + ":\n" + tail;
}

bool stopping(const volatile std::sig_atomic_t* stop) {
  return stop != nullptr && *stop != 0;
}

// Sleeps up to `seconds`, waking early for an interrupt.
void pause(double seconds, const volatile std::sig_atomic_t* stop) {
  const auto until = Clock::now() + std::chrono::duration<double>(seconds);
  while (Clock::now() < until && !stopping(stop))
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

}  // namespace

ReadyResult wait_until_ready(ServerProcess& server, const ReadyWaitOptions& options) {
  ReadyResult result;
  HealthOptions once = options.health;
  once.wait_s = 0;
  once.stop = nullptr;
  const auto began = Clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - began).count(); };
  double next_progress = options.progress_every_s;
  while (true) {
    if (const auto end = server.poll()) {
      result.outcome = ReadyOutcome::exited;
      result.end = *end;
      result.seconds = elapsed();
      result.message = server_name(server) + " " + end->describe() + " after " +
                       whole_seconds(result.seconds) + ", before it answered its health check." +
                       log_excerpt(server);
      return result;
    }
    result.last = check_health(options.base_url, options.health_path, once);
    result.seconds = elapsed();
    if (result.last.healthy) {
      result.outcome = ReadyOutcome::healthy;
      return result;
    }
    if (stopping(options.stop)) {
      result.outcome = ReadyOutcome::interrupted;
      result.message = "interrupted while waiting for " + server_name(server) + " to load";
      return result;
    }
    if (result.seconds >= options.timeout_s) {
      result.outcome = ReadyOutcome::timed_out;
      result.message =
          server_name(server) + " did not become healthy within " +
          limit_seconds(options.timeout_s) + " (" + result.last.describe() +
          "): the model may still be loading or downloading, or the server is stuck. If it "
          "needs longer, raise health_timeout_s for this framework in your presets." +
          log_excerpt(server);
      return result;
    }
    if (options.progress != nullptr && result.seconds >= next_progress) {
      next_progress = result.seconds + options.progress_every_s;
      const std::string last = server.last_log_line();
      *options.progress << "waiting for " << server_name(server)
                        << " to load: " << whole_seconds(result.seconds) << " of "
                        << limit_seconds(options.timeout_s) << "; " << result.last.describe()
                        << (last.empty() ? "" : "; log: " + last) << std::endl;
    }
    pause(options.poll_interval_s, options.stop);
  }
}

}  // namespace servemeter
