#include <chrono>

#include "core/clock.h"
#include "sim/server_state.h"

namespace servemeter::sim {
namespace {

std::chrono::steady_clock::time_point at_ns(std::int64_t ns) {
  // steady_clock is CLOCK_MONOTONIC on Linux, the clock of monotonic_ns().
  return std::chrono::steady_clock::time_point(std::chrono::nanoseconds(ns));
}

}  // namespace

Engine::Engine(boost::asio::io_context& ioc, const ProfileParams& profile,
               std::unique_ptr<PrefixCache> cache, double time_scale)
    : timer_(ioc), scheduler_(profile, std::move(cache)), time_scale_(time_scale) {}

void Engine::submit(SeqSpec spec, std::shared_ptr<TokenSink> sink) {
  sinks_[spec.id] = std::move(sink);
  scheduler_.submit(std::move(spec));
  kick();
}

void Engine::cancel(std::uint64_t id) {
  scheduler_.cancel(id);
  sinks_.erase(id);
}

void Engine::stop() {
  timer_.cancel();
  sinks_.clear();
}

void Engine::kick() {
  if (!stepping_) start_step(monotonic_ns());
}

void Engine::start_step(std::int64_t from_ns) {
  const std::int64_t model_ns = scheduler_.plan_step();
  if (model_ns <= 0) {
    stepping_ = false;
    return;
  }
  stepping_ = true;
  deadline_ns_ = from_ns + static_cast<std::int64_t>(static_cast<double>(model_ns) / time_scale_);
  timer_.expires_at(at_ns(deadline_ns_));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) on_step();
  });
}

void Engine::on_step() {
  emits_.clear();
  scheduler_.finish_step(emits_);
  for (const TokenEmit& e : emits_) {
    auto it = sinks_.find(e.id);
    if (it == sinks_.end()) continue;
    std::shared_ptr<TokenSink> sink = it->second;  // the sink may cancel itself
    if (e.finished) sinks_.erase(it);
    sink->on_engine_token(e);
  }
  // Catch up if the loop woke late, but never schedule in the past by more than one step.
  const std::int64_t now = monotonic_ns();
  start_step(deadline_ns_ < now - 50'000'000 ? now : deadline_ns_);
}

}  // namespace servemeter::sim
