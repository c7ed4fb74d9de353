#pragma once
// The engine model: a FIFO waiting queue, a capped running batch, a KV budget with preemption,
// and a prefix cache. Pure and clock-free: the server asks plan_step() for the length of the
// next step (model ns), sleeps it (scaled), then calls finish_step() to collect the tokens.
// Unit tests drive it without any sleeping. See profile.h for the cost formula.
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "sim/prefix_cache.h"
#include "sim/profile.h"

namespace servemeter::sim {

struct SeqSpec {
  std::uint64_t id = 0;
  Tokens prompt;
  int output_tokens = 1;  // tokens to generate, EOS included
};

struct TokenEmit {
  std::uint64_t id = 0;
  int generated = 0;  // tokens generated so far, this one included
  bool finished = false;
  int cached_tokens = 0;  // prefix-cache hit of the (first) prefill; set on every emit
};

struct SchedulerStats {
  std::uint64_t prefix_queries = 0;  // prompt tokens looked up (vllm:prefix_cache_queries_total)
  std::uint64_t prefix_hits = 0;     // of which cached
  std::uint64_t prompt_tokens = 0;   // prompt tokens of admitted requests
  std::uint64_t generation_tokens = 0;
  std::uint64_t preemptions = 0;
};

class Scheduler {
 public:
  Scheduler(const ProfileParams& profile, std::unique_ptr<PrefixCache> cache);

  void submit(SeqSpec spec);
  // The client went away: drop the sequence wherever it is.
  void cancel(std::uint64_t id);
  bool has_work() const { return !running_.empty() || !waiting_.empty(); }

  // Admits waiting sequences, preempts if KV would overflow, and returns the model time the step
  // takes. Returns 0 when there is nothing to run.
  std::int64_t plan_step();
  // Ends the step: every running sequence gets one token. Appends to `out`.
  void finish_step(std::vector<TokenEmit>& out);

  std::size_t running() const { return running_.size(); }
  std::size_t waiting() const { return waiting_.size(); }
  std::int64_t kv_used() const { return kv_used_; }
  double kv_usage() const;
  const SchedulerStats& stats() const { return stats_; }
  // Empties the prefix cache (SGLang /flush_cache). False while requests are in flight.
  bool flush_cache();
  // Uncached prompt tokens prefilled in the last planned step (for tests).
  std::int64_t last_prefill_tokens() const { return last_prefill_tokens_; }

 private:
  struct Seq {
    SeqSpec spec;
    int generated = 0;
    int cached = 0;
    bool cached_known = false;
    bool prefilling = false;  // admitted in the step being planned
    std::int64_t kv = 0;
  };
  void preempt_newest();

  ProfileParams profile_;
  std::unique_ptr<PrefixCache> cache_;
  std::deque<Seq> waiting_;
  std::vector<Seq> running_;  // admission order: back() is the newest
  std::int64_t kv_used_ = 0;
  std::int64_t last_prefill_tokens_ = 0;
  SchedulerStats stats_;
};

}  // namespace servemeter::sim
