#include "sim/scheduler.h"

#include <algorithm>

namespace servemeter::sim {

Scheduler::Scheduler(const ProfileParams& profile, std::unique_ptr<PrefixCache> cache)
    : profile_(profile), cache_(std::move(cache)) {}

void Scheduler::submit(SeqSpec spec) {
  Seq s;
  s.spec = std::move(spec);
  if (s.spec.output_tokens < 1) s.spec.output_tokens = 1;
  waiting_.push_back(std::move(s));
}

void Scheduler::cancel(std::uint64_t id) {
  auto w =
      std::find_if(waiting_.begin(), waiting_.end(), [&](const Seq& s) { return s.spec.id == id; });
  if (w != waiting_.end()) {
    waiting_.erase(w);
    return;
  }
  auto r =
      std::find_if(running_.begin(), running_.end(), [&](const Seq& s) { return s.spec.id == id; });
  if (r != running_.end()) {
    kv_used_ -= r->kv;
    cache_->release(id);
    running_.erase(r);
  }
}

double Scheduler::kv_usage() const {
  return static_cast<double>(kv_used_) / static_cast<double>(profile_.kv_capacity_tokens);
}

bool Scheduler::flush_cache() {
  if (has_work()) return false;
  cache_->clear();
  return true;
}

void Scheduler::preempt_newest() {
  Seq s = std::move(running_.back());
  running_.pop_back();
  kv_used_ -= s.kv;
  s.kv = 0;
  s.prefilling = false;
  cache_->release(s.spec.id);
  ++stats_.preemptions;
  waiting_.push_front(std::move(s));  // resumes first, recomputing prompt + generated tokens
}

std::int64_t Scheduler::plan_step() {
  last_prefill_tokens_ = 0;
  // Decoding sequences each need one more KV slot this step; preempt the newest until they fit.
  while (!running_.empty() &&
         kv_used_ + static_cast<std::int64_t>(running_.size()) > profile_.kv_capacity_tokens &&
         running_.size() > 1) {
    preempt_newest();
  }
  // Admit from the head of the queue while there is room (FIFO: no overtaking).
  std::int64_t prefill = 0;
  while (!waiting_.empty() && static_cast<int>(running_.size()) < profile_.max_running) {
    Seq& head = waiting_.front();
    const auto need = static_cast<std::int64_t>(head.spec.prompt.size()) + head.generated + 1;
    const bool fits =
        kv_used_ + static_cast<std::int64_t>(running_.size()) + need <= profile_.kv_capacity_tokens;
    if (!fits && !running_.empty()) break;  // an oversized lone request still runs
    Seq s = std::move(head);
    waiting_.pop_front();
    const std::size_t cached = cache_->match(s.spec.prompt, s.spec.id);
    if (!s.cached_known) {
      s.cached = static_cast<int>(cached);
      s.cached_known = true;
      stats_.prefix_queries += s.spec.prompt.size();
      stats_.prefix_hits += cached;
      stats_.prompt_tokens += s.spec.prompt.size();
    }
    // A resumed sequence recomputes its generated tokens too.
    prefill += static_cast<std::int64_t>(s.spec.prompt.size() - cached) + s.generated;
    s.kv = need - 1;
    kv_used_ += s.kv;
    s.prefilling = true;
    running_.push_back(std::move(s));
  }
  if (running_.empty()) return 0;
  last_prefill_tokens_ = prefill;
  const double n = static_cast<double>(running_.size());
  const double ns = profile_.step_base_ns + profile_.step_per_seq_ns * n +
                    profile_.step_per_kv_ns * static_cast<double>(kv_used_) +
                    profile_.prefill_per_token_ns * static_cast<double>(prefill);
  return static_cast<std::int64_t>(ns);
}

void Scheduler::finish_step(std::vector<TokenEmit>& out) {
  std::size_t keep = 0;
  for (std::size_t i = 0; i < running_.size(); ++i) {
    Seq& s = running_[i];
    if (s.prefilling) {
      cache_->commit(s.spec.prompt, s.spec.id);
      s.prefilling = false;
    }
    ++s.generated;
    ++s.kv;
    ++kv_used_;
    ++stats_.generation_tokens;
    const bool done = s.generated >= s.spec.output_tokens;
    out.push_back(TokenEmit{s.spec.id, s.generated, done, s.cached});
    if (done) {
      kv_used_ -= s.kv;
      cache_->release(s.spec.id);
      continue;
    }
    if (keep != i) running_[keep] = std::move(s);
    ++keep;
  }
  running_.resize(keep);
}

}  // namespace servemeter::sim
