#include "sim/sim_options.h"

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <stdexcept>

#include "sim/profile_traits.h"
#include "sim/sim_server.h"

namespace servemeter::sim {

void add_sim_options(CLI::App& app, SimOptions& o) {
  app.add_option("--profile", o.profile, "Server to imitate")
      ->check(CLI::IsMember(profile_list()))
      ->capture_default_str();
  app.add_option("--port", o.port, "Port to listen on (0: a free one, printed)")
      ->capture_default_str();
  app.add_option("--host", o.host, "Address to listen on (loopback unless --allow-remote)")
      ->capture_default_str();
  app.add_flag("--allow-remote", o.allow_remote, "Allow a non-loopback --host");
  app.add_option("--model", o.model, "Served model name (default: the profile's)");
  app.add_option("--profiles-file", o.profiles_file,
                 "Simulator profiles YAML (default: the shipped data/sim_profiles.yaml)");
  app.add_option("--time-scale", o.time_scale,
                 "Run X times faster; reported durations stay in model time")
      ->capture_default_str();
  app.add_option("--seed", o.seed, "Seed for lengths, ids and faults")->capture_default_str();
  app.add_option("--events-per-write", o.events_per_write,
                 "Token events gathered into one chunk / socket write")
      ->capture_default_str();
  app.add_option("--ttft-ms", o.ttft_ms,
                 "Fixed timing: first token this long after arrival (needs --itl-ms)");
  app.add_option("--itl-ms", o.itl_ms, "Fixed timing: one token every N ms (needs --ttft-ms)");
  app.add_option("--truth-log", o.truth_log, "Write one JSON line of ground truth per request");
  app.add_option("--fault-status", o.fault_status,
                 "Answer a fraction of requests with 429|500|503");
  app.add_option("--fault-rate", o.fault_rate, "Fraction of requests given --fault-status")
      ->capture_default_str();
  app.add_option("--retry-after", o.retry_after_s,
                 "Send Retry-After: N (seconds) with the --fault-status answers (0: none)")
      ->capture_default_str();
  app.add_option("--stall-ms", o.stall_ms, "Pause every stream this long ...");
  app.add_option("--stall-after", o.stall_after, "... after this many tokens")
      ->capture_default_str();
  app.add_option("--disconnect-after", o.disconnect_after,
                 "Close every stream's connection after K tokens");
  app.add_option("--malformed-rate", o.malformed_rate,
                 "Fraction of streams carrying one malformed event");
  app.add_option("--loading-s", o.loading_s, "Health answers 503 for N s after start");
  app.add_option("--max-running", o.max_running, "Override the profile's running-sequence cap");
  app.add_option("--prefix-caching", o.prefix_caching, "Prefix caching on|off (default on)")
      ->transform(
          CLI::Transformer(std::map<std::string, std::string>{{"on", "true"}, {"off", "false"}}));
  app.add_option("--context-length", o.context_length, "Override the context length (tokens)");
  app.add_option("--tokenizer", o.tokenizer,
                 "The model's tokenizer.json: count prompt tokens as the real server does");
}

int run_sim(const SimOptions& options) {
  std::signal(SIGPIPE, SIG_IGN);  // last line of defence: every write already uses MSG_NOSIGNAL
  // Block the stop signals before the server thread starts, so that only sigwait sees them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::unique_ptr<SimServer> server;
  try {
    server = SimServer::start(options);
  } catch (const std::invalid_argument& e) {
    std::cerr << "servemeter sim: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "servemeter sim: " << e.what() << "\n";
    return 1;
  }
  std::printf("listening on %s:%u\n",
              options.host == "localhost" ? "127.0.0.1" : options.host.c_str(),
              static_cast<unsigned>(server->port()));
  std::fflush(stdout);
  int sig = 0;
  sigwait(&set, &sig);
  server->stop();
  return 0;
}

}  // namespace servemeter::sim
