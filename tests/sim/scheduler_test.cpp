// Unit tests of the engine model: prefix caches, running cap, preemption, step cost.
#include "sim/scheduler.h"

#include <gtest/gtest.h>

#include "sim/prefix_cache.h"
#include "sim/profile.h"
#include "sim/token_plan.h"

namespace servemeter::sim {
namespace {

ProfileParams profile(const std::string& name) {
  return load_profile(std::string(SERVEMETER_DATA_DIR) + "/sim_profiles.yaml", name);
}

Tokens tokens(std::size_t n, TokenId base) {
  Tokens t(n);
  for (std::size_t i = 0; i < n; ++i) t[i] = base + static_cast<TokenId>(i);
  return t;
}

// 2,048 shared tokens, then `tail` tokens unique to `which`.
Tokens shared_prefix_prompt(int which, std::size_t prefix = 2048, std::size_t tail = 100) {
  Tokens t = tokens(prefix, 1);
  const Tokens u = tokens(tail, 1'000'000u * static_cast<TokenId>(which + 1));
  t.insert(t.end(), u.begin(), u.end());
  return t;
}

// Runs `spec` alone to completion; returns the uncached tokens prefilled at its admission.
std::int64_t run_alone(Scheduler& s, SeqSpec spec, int* cached = nullptr) {
  s.submit(std::move(spec));
  s.plan_step();
  const std::int64_t prefill = s.last_prefill_tokens();
  std::vector<TokenEmit> out;
  s.finish_step(out);
  if (cached) *cached = out.at(0).cached_tokens;
  while (s.has_work()) {
    s.plan_step();
    out.clear();
    s.finish_step(out);
  }
  return prefill;
}

class SimSharedPrefix : public testing::TestWithParam<std::string> {};

TEST_P(SimSharedPrefix, SecondRequestPrefillIsCutByTheCachedPart) {
  const ProfileParams p = profile(GetParam());
  Scheduler s(p, make_prefix_cache(p, true));
  const std::int64_t first = run_alone(s, {1, shared_prefix_prompt(0), 4});
  int cached = 0;
  const std::int64_t second = run_alone(s, {2, shared_prefix_prompt(1), 4}, &cached);
  EXPECT_EQ(first, 2048 + 100);
  EXPECT_EQ(cached, 2048);  // 2048 is a multiple of 16, so vLLM's blocks cover it exactly
  EXPECT_EQ(second, 100);
  EXPECT_EQ(s.stats().prefix_hits, 2048u);
}

INSTANTIATE_TEST_SUITE_P(CachingProfiles, SimSharedPrefix,
                         testing::Values("vllm", "sglang", "ollama", "llamacpp"));

TEST(SimPrefixCache, VllmCachesWholeBlocksOnly) {
  const ProfileParams p = profile("vllm");
  Scheduler s(p, make_prefix_cache(p, true));
  run_alone(s, {1, shared_prefix_prompt(0, 2047), 2});
  int cached = 0;
  run_alone(s, {2, shared_prefix_prompt(1, 2047), 2}, &cached);
  EXPECT_EQ(cached, 2032);  // 127 whole blocks of 16
}

TEST(SimPrefixCache, SglangRadixIsTokenExact) {
  const ProfileParams p = profile("sglang");
  Scheduler s(p, make_prefix_cache(p, true));
  run_alone(s, {1, shared_prefix_prompt(0, 2047), 2});
  int cached = 0;
  run_alone(s, {2, shared_prefix_prompt(1, 2047), 2}, &cached);
  EXPECT_EQ(cached, 2047);
}

TEST(SimPrefixCache, VllmWithPrefixCachingOffCachesNothing) {
  const ProfileParams p = profile("vllm");
  Scheduler s(p, make_prefix_cache(p, false));
  run_alone(s, {1, shared_prefix_prompt(0), 2});
  EXPECT_EQ(run_alone(s, {2, shared_prefix_prompt(1), 2}), 2148);
}

TEST(SimPrefixCache, IdenticalPromptStillComputesItsLastToken) {
  RadixCache radix(100000);
  const Tokens t = tokens(50, 7);
  radix.commit(t, 1);
  EXPECT_EQ(radix.match(t, 2), 49u);
  BlockHashCache blocks(16, 1000);
  const Tokens b = tokens(64, 7);
  blocks.commit(b, 1);
  EXPECT_EQ(blocks.match(b, 2), 48u);  // the last block is recomputed
}

TEST(SimPrefixCache, SlotReusesOnlyItsOwnPreviousPrompt) {
  SlotCache slots(2);
  const Tokens a = tokens(100, 1);
  const Tokens b = tokens(100, 5000);
  EXPECT_EQ(slots.match(a, 1), 0u);
  EXPECT_EQ(slots.match(b, 2), 0u);  // both slots busy now
  slots.commit(a, 1);
  slots.commit(b, 2);
  slots.release(1);
  slots.release(2);
  Tokens b2 = b;
  b2.back() = 99;
  EXPECT_EQ(slots.match(b2, 3), 99u);  // picks the slot that held b
}

TEST(SimScheduler, OllamaRunsOneAtATimeAndQueuesTheRest) {
  const ProfileParams p = profile("ollama");
  ASSERT_EQ(p.max_running, 1);
  Scheduler s(p, make_prefix_cache(p, true));
  s.submit({1, tokens(10, 1), 3});
  s.submit({2, tokens(10, 100), 3});
  s.submit({3, tokens(10, 200), 3});
  s.plan_step();
  EXPECT_EQ(s.running(), 1u);
  EXPECT_EQ(s.waiting(), 2u);
  std::vector<TokenEmit> out;
  std::vector<std::uint64_t> finished;
  while (s.has_work()) {
    s.plan_step();
    out.clear();
    s.finish_step(out);
    ASSERT_LE(out.size(), 1u);
    for (const auto& e : out) {
      if (e.finished) finished.push_back(e.id);
    }
  }
  EXPECT_EQ(finished, (std::vector<std::uint64_t>{1, 2, 3}));  // FIFO
}

TEST(SimScheduler, ContinuousBatchingAdmitsBetweenSteps) {
  const ProfileParams p = profile("vllm");
  Scheduler s(p, make_prefix_cache(p, true));
  s.submit({1, tokens(10, 1), 100});
  s.plan_step();
  std::vector<TokenEmit> out;
  s.finish_step(out);
  s.submit({2, tokens(10, 500), 100});
  s.plan_step();
  EXPECT_EQ(s.running(), 2u);
  EXPECT_EQ(s.last_prefill_tokens(), 10);
}

TEST(SimScheduler, PreemptsTheNewestWhenKvIsFull) {
  ProfileParams p = profile("vllm");
  p.kv_capacity_tokens = 230;
  Scheduler s(p, make_prefix_cache(p, false));
  s.submit({1, tokens(100, 1), 50});
  s.submit({2, tokens(100, 1000), 50});
  s.plan_step();
  ASSERT_EQ(s.running(), 2u);
  std::vector<TokenEmit> out;
  std::vector<std::uint64_t> seen_running;
  for (int step = 0; step < 20 && s.stats().preemptions == 0; ++step) {
    out.clear();
    s.finish_step(out);
    s.plan_step();
  }
  EXPECT_EQ(s.stats().preemptions, 1u);
  EXPECT_EQ(s.running(), 1u);
  EXPECT_EQ(s.waiting(), 1u);
  out.clear();
  s.finish_step(out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].id, 1u);  // the older request keeps running
  EXPECT_LE(s.kv_used(), p.kv_capacity_tokens);
  // It finishes eventually, and so does the preempted one.
  int finished = 0;
  while (s.has_work()) {
    s.plan_step();
    out.clear();
    s.finish_step(out);
    for (const auto& e : out) finished += e.finished ? 1 : 0;
  }
  EXPECT_EQ(finished, 2);
}

TEST(SimScheduler, DecodeStepTimeGrowsWithTheBatch) {
  const ProfileParams p = profile("vllm");
  auto decode_step_ns = [&](int batch) {
    Scheduler s(p, make_prefix_cache(p, false));
    for (int i = 0; i < batch; ++i)
      s.submit({static_cast<std::uint64_t>(i + 1), tokens(64, 10'000u * i), 100});
    s.plan_step();  // prefill step
    std::vector<TokenEmit> out;
    s.finish_step(out);
    return s.plan_step();  // a pure decode step
  };
  const auto one = decode_step_ns(1);
  const auto eight = decode_step_ns(8);
  const auto sixty_four = decode_step_ns(64);
  EXPECT_GT(eight, one);
  EXPECT_GT(sixty_four, eight);
  EXPECT_NEAR(static_cast<double>(one), p.step_base_ns + p.step_per_seq_ns + p.step_per_kv_ns * 65,
              2);
}

TEST(SimScheduler, PrefillCostIsProportionalToUncachedTokens) {
  const ProfileParams p = profile("sglang");
  Scheduler s(p, make_prefix_cache(p, false));
  s.submit({1, tokens(1000, 1), 2});
  const auto t = s.plan_step();
  EXPECT_NEAR(
      static_cast<double>(t),
      p.step_base_ns + p.step_per_seq_ns + p.step_per_kv_ns * 1000 + p.prefill_per_token_ns * 1000,
      2);
}

TEST(SimTokenPlan, HarmonyLayoutCountsControlTokens) {
  const TokenPlan plan(21, true, true);
  int reasoning = 0, content = 0, control = 0, opens = 0;
  for (int i = 0; i < plan.total(); ++i) {
    switch (plan.kind(i)) {
      case TokenKind::reasoning:
        ++reasoning;
        break;
      case TokenKind::content:
        ++content;
        break;
      case TokenKind::final_opens:
        ++opens;
        break;
      default:
        ++control;
        break;
    }
  }
  EXPECT_EQ(plan.kind(0), TokenKind::control);
  EXPECT_EQ(plan.kind(20), TokenKind::eos);
  EXPECT_EQ(opens, 1);
  EXPECT_EQ(reasoning + content + control + opens, 21);
  EXPECT_GT(reasoning, 0);
  EXPECT_GT(content, 0);
}

TEST(SimTokenPlan, LengthIsExactWhenAskedAndSeeded) {
  std::mt19937_64 a(7), b(7);
  EXPECT_EQ(choose_length(a, 200, 0.6, 256, 0, true).tokens, 256);
  const auto x = choose_length(a, 200, 0.6, 100000, 0, false);  // exact mode drew nothing
  const auto y = choose_length(b, 200, 0.6, 100000, 0, false);
  EXPECT_EQ(x.tokens, y.tokens);
  EXPECT_TRUE(x.stops);
  std::mt19937_64 d(7);
  const auto capped = choose_length(d, 200, 0.6, 5, 0, false);
  EXPECT_EQ(capped.tokens, 5);
  EXPECT_FALSE(capped.stops);
  std::mt19937_64 e(7);
  EXPECT_EQ(choose_length(e, 200, 0.6, 300, 300, false).tokens, 300);  // min_tokens = max
}

}  // namespace
}  // namespace servemeter::sim
