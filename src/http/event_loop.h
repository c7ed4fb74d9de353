#pragma once
// One epoll loop on one thread (wrk's model): file-descriptor readiness for the HTTP client and
// absolute-time timers for open-loop pacing. Nothing here allocates per event: the fd table and
// the timer heap grow only when a new high-water mark is reached.
#include <cstdint>
#include <vector>

namespace servemeter::http {

// Receives readiness of a watched fd (EPOLLIN/EPOLLOUT/EPOLLERR bits).
class FdHandler {
 public:
  virtual ~FdHandler() = default;
  virtual void on_fd_ready(int fd, std::uint32_t epoll_events) = 0;
};

// Receives a timer scheduled with EventLoop::schedule_at.
class TimerHandler {
 public:
  virtual ~TimerHandler() = default;
  virtual void on_timer(std::uint64_t tag, std::int64_t due_ns, std::int64_t fired_ns) = 0;
};

// A coarse (millisecond) deadline plus a hook run after every batch of events; used by the curl
// driver, whose own timeouts are in milliseconds anyway.
class LoopHook {
 public:
  virtual ~LoopHook() = default;
  // Absolute CLOCK_MONOTONIC ns at which on_deadline must run; -1 for none, 0 for "right now".
  virtual std::int64_t deadline_ns() const = 0;
  virtual void on_deadline() = 0;
  // True while the hook still has work (e.g. transfers in flight): keeps run() going.
  virtual bool busy() const = 0;
};

class EventLoop {
 public:
  EventLoop();  // throws std::system_error if epoll/timerfd cannot be created
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Add or change the interest set of `fd`; `handler` must outlive the watch.
  void watch(int fd, std::uint32_t epoll_events, FdHandler* handler);
  void unwatch(int fd);  // tolerates an fd already closed

  void set_hook(LoopHook* hook) { hook_ = hook; }

  // Run `handler->on_timer(tag, …)` at absolute monotonic time `due_ns` (sub-ms precision via a
  // TFD_TIMER_ABSTIME timerfd). Timers due at the same time fire in scheduling order.
  void schedule_at(std::int64_t due_ns, TimerHandler* handler, std::uint64_t tag);
  // Drop every pending timer of `handler` (O(timers); for teardown, not the hot path).
  void cancel_timers(TimerHandler* handler);
  // Busy-wait this long before a timer's due time instead of trusting the kernel's wake-up
  // (0 = never spin). Trades CPU for send-time precision in open loop.
  void set_timer_spin_ns(std::int64_t ns) { spin_ns_ = ns; }

  // Run until stop() is called, or until no timer is pending and the hook is not busy.
  void run();
  void stop() { stopped_ = true; }

 private:
  struct Timer {
    std::int64_t due_ns;
    std::uint64_t seq;
    TimerHandler* handler;
    std::uint64_t tag;
  };
  struct Later {
    bool operator()(const Timer& a, const Timer& b) const {
      return a.due_ns != b.due_ns ? a.due_ns > b.due_ns : a.seq > b.seq;
    }
  };

  void arm_timerfd();
  void fire_due_timers();
  int epoll_timeout_ms() const;

  int epoll_fd_ = -1;
  int timer_fd_ = -1;
  std::int64_t armed_ns_ = -1;  // what timer_fd_ is armed for; -1 = disarmed
  std::int64_t spin_ns_ = 0;
  std::uint64_t next_seq_ = 0;
  bool stopped_ = false;
  LoopHook* hook_ = nullptr;
  std::vector<FdHandler*> handlers_;  // indexed by fd
  std::vector<Timer> timers_;         // min-heap on (due_ns, seq)
};

}  // namespace servemeter::http
