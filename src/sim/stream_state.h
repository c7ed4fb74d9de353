#pragma once
// The per-request state of a streamed generation (private to connection.cpp / stream.cpp).
#include <boost/asio/steady_timer.hpp>
#include <string>
#include <vector>

#include "sim/connection.h"

namespace servemeter::sim {

struct Connection::Stream {
  explicit Stream(boost::asio::io_context& ioc, StreamSetup s)
      : setup(std::move(s)),
        plan(setup.output_tokens, setup.stops, setup.reasoning),
        tick(ioc),
        hold(ioc) {}
  StreamSetup setup;
  TokenPlan plan;
  std::unique_ptr<StreamEmitter> emitter;
  boost::asio::steady_timer tick;  // fixed-timing mode: the next token(s)
  boost::asio::steady_timer hold;  // stall fault: release held events
  std::uint64_t id = 0;
  int generated = 0;
  int cached = 0;
  int events_pending = 0;
  bool first_pending = false;  // pending_ holds the first token-bearing event
  bool token_pending = false;  // pending_ holds some token-bearing event
  bool seen_token = false;
  bool done = false;        // finish() appended
  bool disconnect = false;  // close once what was sent reaches disconnect_after tokens
  bool stalled = false;
  bool hold_armed = false;
  std::int64_t hold_until_ns = 0;
  std::int64_t shift_ns = 0;  // fixed-timing deadlines pushed back by a stall
  std::int64_t first_produced_ns = -1;
  FinishInfo finish;
  std::vector<std::uint32_t> context;  // Ollama /api/generate
  std::string content;                 // non-streamed answer
  std::string reasoning;               // non-streamed reasoning
};

}  // namespace servemeter::sim
