// EventLoop timers: order, never early, and sub-millisecond on an idle loop (bounds are generous
// for a loaded 2-core machine; the 1 ms p99 goal is measured in bench/, not asserted here).
#include "http/event_loop.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "core/clock.h"

namespace servemeter::http {
namespace {

struct Recorder : TimerHandler {
  struct Fire {
    std::uint64_t tag;
    std::int64_t due;
    std::int64_t fired;
  };
  std::vector<Fire> fires;
  void on_timer(std::uint64_t tag, std::int64_t due, std::int64_t fired) override {
    fires.push_back({tag, due, fired});
  }
};

TEST(EventLoop, FiresTimersInDueOrderAndNeverEarly) {
  EventLoop loop;
  Recorder rec;
  const std::int64_t now = monotonic_ns();
  loop.schedule_at(now + 30'000'000, &rec, 3);
  loop.schedule_at(now + 10'000'000, &rec, 1);
  loop.schedule_at(now + 20'000'000, &rec, 2);
  loop.schedule_at(now + 20'000'000, &rec, 22);  // same time: scheduling order
  loop.run();                                    // returns when no timer is left
  ASSERT_EQ(rec.fires.size(), 4u);
  EXPECT_EQ(rec.fires[0].tag, 1u);
  EXPECT_EQ(rec.fires[1].tag, 2u);
  EXPECT_EQ(rec.fires[2].tag, 22u);
  EXPECT_EQ(rec.fires[3].tag, 3u);
  for (const auto& f : rec.fires) {
    EXPECT_GE(f.fired, f.due);
    EXPECT_GE(monotonic_ns(), f.due);
  }
}

TEST(EventLoop, CancelDropsPendingTimers) {
  EventLoop loop;
  Recorder keep;
  Recorder drop;
  const std::int64_t now = monotonic_ns();
  loop.schedule_at(now + 5'000'000, &drop, 1);
  loop.schedule_at(now + 6'000'000, &keep, 2);
  loop.cancel_timers(&drop);
  loop.run();
  EXPECT_TRUE(drop.fires.empty());
  ASSERT_EQ(keep.fires.size(), 1u);
}

TEST(EventLoop, TimerLagIsSmallOnAnIdleLoop) {
  EventLoop loop;
  Recorder rec;
  const std::int64_t start = monotonic_ns() + 2'000'000;
  for (int i = 0; i < 200; ++i) loop.schedule_at(start + i * 500'000, &rec, i);  // 2 kHz
  loop.run();
  ASSERT_EQ(rec.fires.size(), 200u);
  std::vector<std::int64_t> lags;
  for (const auto& f : rec.fires) lags.push_back(f.fired - f.due);
  std::sort(lags.begin(), lags.end());
  EXPECT_GE(lags.front(), 0);
  EXPECT_LT(lags[lags.size() / 2], 5'000'000) << "median lag " << lags[lags.size() / 2] << " ns";
}

TEST(EventLoop, SpinningMakesTimersPunctual) {
  EventLoop loop;
  loop.set_timer_spin_ns(200'000);
  Recorder rec;
  const std::int64_t start = monotonic_ns() + 1'000'000;
  for (int i = 0; i < 50; ++i) loop.schedule_at(start + i * 1'000'000, &rec, i);
  loop.run();
  ASSERT_EQ(rec.fires.size(), 50u);
  for (const auto& f : rec.fires) EXPECT_GE(f.fired, f.due);
}

}  // namespace
}  // namespace servemeter::http
