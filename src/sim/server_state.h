#pragma once
// State shared by every connection of one simulated server. Everything runs on the server's
// single io_context thread, so nothing here is locked.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "sim/profile.h"
#include "sim/profile_traits.h"
#include "sim/scheduler.h"
#include "sim/sim_options.h"
#include "sim/truth_log.h"
#include "workload/tokenizer.h"

namespace servemeter::sim {

// Receives the tokens the engine produces for one request.
class TokenSink {
 public:
  virtual ~TokenSink() = default;
  virtual void on_engine_token(const TokenEmit& emit) = 0;
};

// Runs the Scheduler in (scaled) real time: one steady_timer per step; between steps it hands
// every running request its token. Steps are scheduled from the previous step's deadline, not
// from "now", so a late wake-up does not stretch model time.
class Engine {
 public:
  Engine(boost::asio::io_context& ioc, const ProfileParams& profile,
         std::unique_ptr<PrefixCache> cache, double time_scale);
  void submit(SeqSpec spec, std::shared_ptr<TokenSink> sink);
  void cancel(std::uint64_t id);
  void stop();
  Scheduler& scheduler() { return scheduler_; }

 private:
  void kick();
  void start_step(std::int64_t from_ns);
  void on_step();

  boost::asio::steady_timer timer_;
  Scheduler scheduler_;
  double time_scale_;
  bool stepping_ = false;
  std::int64_t deadline_ns_ = 0;
  std::unordered_map<std::uint64_t, std::shared_ptr<TokenSink>> sinks_;
  std::vector<TokenEmit> emits_;
};

struct Counters {
  std::uint64_t prompt_tokens = 0;
  std::uint64_t generation_tokens = 0;
  std::uint64_t cached_tokens = 0;
  std::uint64_t finished_stop = 0;
  std::uint64_t finished_length = 0;
  std::uint64_t aborted = 0;
  std::uint64_t ttft_count = 0;
  double ttft_sum_s = 0;
  std::vector<std::uint64_t> ttft_buckets;  // cumulative counts per kTtftBuckets bound
  double prompt_seconds = 0;                // llama.cpp prompt_seconds_total
  double predicted_seconds = 0;             // llama.cpp tokens_predicted_seconds_total
  std::uint64_t max_tokens_seen = 0;
};

inline constexpr double kTtftBuckets[] = {0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1,
                                          0.25,  0.5,   0.75, 1.0,  2.5,  5.0,  7.5,  10.0};

struct ServerState {
  ServerState(boost::asio::io_context& io, SimOptions opts, ProfileParams prof);

  boost::asio::io_context& ioc;
  SimOptions options;
  ProfileParams profile;
  const ProfileTraits& traits;  // how this profile looks on the wire (profile_traits.h)
  std::string model;            // served model name
  bool fixed_timing = false;    // --ttft-ms/--itl-ms mode
  std::unique_ptr<Engine> engine;
  TruthLog truth;
  std::vector<char> read_buffer;  // every connection reads into this (one thread per server)
  std::mt19937_64 rng;            // ids, lengths, faults: seeded, deterministic in arrival order
  std::int64_t start_ns = 0;
  std::uint64_t next_id = 1;
  int active_streams = 0;  // running requests in fixed-timing mode
  Counters counters;
  // The model's tokenizer (--tokenizer): prompt counts and prefix-cache keys as the real server
  // has them. Null: the approximation.
  std::shared_ptr<const Tokenizer> tokenizer;
  // Extra response headers naming the simulator and its time scale (see Connection::head).
  std::string simulated_headers;

  bool loading() const;
  double scale() const { return options.time_scale; }
  // Whether `name` names the served model (Ollama also accepts a missing ":latest").
  bool model_matches(const std::string& name) const;
  void record_ttft(double seconds);
};

}  // namespace servemeter::sim
