#pragma once
// The simulated LLM server: public entry points.
//   SimServer::start(options)  in-process server on its own thread (tests, benchmarks)
//   run_sim(options)           the `servemeter sim` command: blocks until SIGINT/SIGTERM
//   add_sim_options(app, opts) its command-line flags (sim_options.h)
// One io_context on one thread serves every connection; see connection.h and engine.cpp.
#include <cstdint>
#include <memory>

#include "sim/sim_options.h"

namespace servemeter::sim {

class SimServer {
 public:
  // Validates the options, loads the profile, binds and starts serving. Throws
  // std::invalid_argument for bad options and std::runtime_error when it cannot start
  // (profile file, port in use, truth log); the message says what and what to do.
  static std::unique_ptr<SimServer> start(const SimOptions& options);
  ~SimServer();
  SimServer(const SimServer&) = delete;
  SimServer& operator=(const SimServer&) = delete;

  std::uint16_t port() const;
  // Stops serving, flushes the truth log, joins the thread. Idempotent.
  void stop();

 private:
  struct Impl;
  explicit SimServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace servemeter::sim
