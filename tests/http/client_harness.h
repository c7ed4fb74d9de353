#pragma once
// Drives HttpClient for tests: starts transfers, runs the loop until they all finish or a
// watchdog (bounded time) stops it.
#include <deque>
#include <memory>
#include <vector>

#include "core/clock.h"
#include "http/fake_adapter.h"
#include "http/http_client.h"

namespace servemeter::testing {

class ClientHarness final : public http::CompletionHandler, public http::TimerHandler {
 public:
  explicit ClientHarness(http::ClientOptions options = {})
      : client(loop, std::move(options), *this) {}

  // Adds a request; records and parsers stay addressable until the harness dies.
  RequestRecord& add(const std::string& url, std::string body = "{\"prompt\":\"hi\"}") {
    auto& r = records.emplace_back();
    r.id = 1000 + records.size();
    bodies.push_back(std::move(body));
    parsers.push_back(std::make_unique<FakeParser>());
    urls.push_back(url);
    return r;
  }
  void start(std::size_t i) {
    client.start(
        http::TransferSpec{urls[i], bodies[i], parsers[i].get(), &adapter, &records[i], i});
  }
  // Run until `n` more completions (default: every started one) or `max_ms` passes.
  void run(int max_ms = 15'000) {
    loop.schedule_at(monotonic_ns() + std::int64_t{max_ms} * 1'000'000, this, 0);
    loop.run();
    loop.cancel_timers(this);
  }
  void start_all_and_run(int max_ms = 15'000) {
    for (std::size_t i = 0; i < records.size(); ++i) start(i);
    run(max_ms);
  }

  void on_complete(std::uint64_t tag, RequestRecord&) override {
    completed.push_back(tag);
    if (client.in_flight() == 0) loop.stop();
  }
  void on_timer(std::uint64_t, std::int64_t, std::int64_t) override {
    timed_out = true;
    loop.stop();
  }

  FakeAdapter adapter;
  http::EventLoop loop;
  http::HttpClient client;
  std::deque<RequestRecord> records;  // deque: stable addresses while adding
  std::deque<std::string> bodies;
  std::deque<std::string> urls;
  std::vector<std::unique_ptr<FakeParser>> parsers;
  std::vector<std::uint64_t> completed;
  bool timed_out = false;
};

}  // namespace servemeter::testing
