#include "http/event_loop.h"

#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

#include "core/clock.h"

namespace servemeter::http {
namespace {

constexpr std::uint64_t kTimerFdKey = ~std::uint64_t{0};
constexpr int kMaxEvents = 256;

[[noreturn]] void throw_errno(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

}  // namespace

EventLoop::EventLoop() {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) throw_errno("epoll_create1");
  timer_fd_ = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (timer_fd_ < 0) {
    close(epoll_fd_);
    throw_errno("timerfd_create");
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kTimerFdKey;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, timer_fd_, &ev) < 0) {
    close(timer_fd_);
    close(epoll_fd_);
    throw_errno("epoll_ctl(timerfd)");
  }
  timers_.reserve(64);
  handlers_.resize(1024, nullptr);
  // The kernel's default 50 µs timer slack would be most of our send-lag budget; this thread
  // drives the loop, so let its timerfd wake-ups be exact.
  prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
}

EventLoop::~EventLoop() {
  close(timer_fd_);
  close(epoll_fd_);
}

void EventLoop::watch(int fd, std::uint32_t epoll_events, FdHandler* handler) {
  const auto index = static_cast<std::size_t>(fd);
  if (index >= handlers_.size()) handlers_.resize(std::max(index + 1, handlers_.size() * 2));
  epoll_event ev{};
  ev.events = epoll_events;
  ev.data.u64 = static_cast<std::uint64_t>(fd);
  const int op = handlers_[index] != nullptr ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
  if (epoll_ctl(epoll_fd_, op, fd, &ev) < 0) {
    // The fd number may have been closed and reused behind our back: retry as the other op.
    const int other = op == EPOLL_CTL_ADD ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    if (epoll_ctl(epoll_fd_, other, fd, &ev) < 0) throw_errno("epoll_ctl(watch)");
  }
  handlers_[index] = handler;
}

void EventLoop::unwatch(int fd) {
  const auto index = static_cast<std::size_t>(fd);
  if (index < handlers_.size()) handlers_[index] = nullptr;
  // EBADF/ENOENT are fine: curl may already have closed the socket.
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
}

void EventLoop::schedule_at(std::int64_t due_ns, TimerHandler* handler, std::uint64_t tag) {
  timers_.push_back(Timer{due_ns, next_seq_++, handler, tag});
  std::push_heap(timers_.begin(), timers_.end(), Later{});
  arm_timerfd();
}

void EventLoop::cancel_timers(TimerHandler* handler) {
  std::erase_if(timers_, [handler](const Timer& t) { return t.handler == handler; });
  std::make_heap(timers_.begin(), timers_.end(), Later{});
  arm_timerfd();
}

void EventLoop::arm_timerfd() {
  const std::int64_t want =
      timers_.empty() ? -1 : std::max<std::int64_t>(1, timers_.front().due_ns - spin_ns_);
  if (want == armed_ns_) return;
  itimerspec spec{};
  if (want > 0) {
    spec.it_value.tv_sec = want / 1'000'000'000;
    spec.it_value.tv_nsec = want % 1'000'000'000;
  }
  timerfd_settime(timer_fd_, TFD_TIMER_ABSTIME, &spec, nullptr);
  armed_ns_ = want;
}

void EventLoop::fire_due_timers() {
  std::uint64_t expirations = 0;
  [[maybe_unused]] const auto n = read(timer_fd_, &expirations, sizeof expirations);
  armed_ns_ = -1;  // a fired ABSTIME timer is spent
  std::int64_t now = monotonic_ns();
  while (!timers_.empty()) {
    const Timer top = timers_.front();
    if (top.due_ns > now) {
      if (top.due_ns - now > spin_ns_) break;
      while ((now = monotonic_ns()) < top.due_ns) {
      }
    }
    std::pop_heap(timers_.begin(), timers_.end(), Later{});
    timers_.pop_back();
    top.handler->on_timer(top.tag, top.due_ns, now);
    now = monotonic_ns();
  }
  arm_timerfd();
}

int EventLoop::epoll_timeout_ms() const {
  if (hook_ == nullptr) return -1;
  const std::int64_t deadline = hook_->deadline_ns();
  if (deadline < 0) return -1;
  const std::int64_t left = deadline - monotonic_ns();
  if (left <= 0) return 0;
  return static_cast<int>(std::min<std::int64_t>((left + 999'999) / 1'000'000, 60'000));
}

void EventLoop::run() {
  stopped_ = false;
  epoll_event events[kMaxEvents];
  while (!stopped_) {
    if (timers_.empty() && (hook_ == nullptr || !hook_->busy())) break;
    const int timeout = epoll_timeout_ms();
    const int n = epoll_wait(epoll_fd_, events, kMaxEvents, timeout);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("epoll_wait");
    }
    for (int i = 0; i < n; ++i) {
      const std::uint64_t key = events[i].data.u64;
      if (key == kTimerFdKey) {
        fire_due_timers();
        continue;
      }
      const auto fd = static_cast<int>(key);
      FdHandler* handler = handlers_[static_cast<std::size_t>(fd)];
      if (handler != nullptr) handler->on_fd_ready(fd, events[i].events);
    }
    if (hook_ != nullptr) {
      const std::int64_t deadline = hook_->deadline_ns();
      if (deadline >= 0 && deadline <= monotonic_ns()) hook_->on_deadline();
    }
  }
}

}  // namespace servemeter::http
