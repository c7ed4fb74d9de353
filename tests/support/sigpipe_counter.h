#pragma once
// Counts SIGPIPE deliveries while alive (a write into a connection the peer has closed raises
// it, and its default action kills the process). Tests assert the count stays 0 instead of
// hoping the process survives. Not nestable; restores the previous action when destroyed.
#include <signal.h>

#include <atomic>

namespace servemeter::testsupport {

class SigpipeCounter {
 public:
  SigpipeCounter() {
    count_.store(0);
    struct sigaction action {};
    action.sa_handler = [](int) { count_.fetch_add(1); };
    sigemptyset(&action.sa_mask);
    sigaction(SIGPIPE, &action, &previous_);
  }
  ~SigpipeCounter() { sigaction(SIGPIPE, &previous_, nullptr); }
  SigpipeCounter(const SigpipeCounter&) = delete;
  SigpipeCounter& operator=(const SigpipeCounter&) = delete;

  int count() const { return count_.load(); }

 private:
  static inline std::atomic<int> count_{0};
  struct sigaction previous_ {};
};

}  // namespace servemeter::testsupport
