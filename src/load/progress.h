#pragma once
// Progress of a running cell, written to stderr. A small interface so tests (and --quiet) can
// silence it; the load generator calls update() ~4×/s from its loop and each sink decides what
// to draw.
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

namespace servemeter::load {

struct ProgressSnapshot {
  std::string_view label;  // cell label
  bool warmup = false;     // still in the warm-up phase
  std::int64_t done = 0;
  std::int64_t total = 0;
  std::int64_t errors = 0;
  double elapsed_s = 0.0;  // since the cell started
};

class ProgressSink {
 public:
  virtual ~ProgressSink() = default;
  virtual void update(const ProgressSnapshot& snapshot) = 0;
  virtual void finish(const ProgressSnapshot& snapshot) = 0;
};

class NullProgress final : public ProgressSink {
 public:
  void update(const ProgressSnapshot&) override {}
  void finish(const ProgressSnapshot&) override {}
};

// One text line for the snapshot: "label  done/total  r req/s  e errors  ETA s".
std::string format_progress(const ProgressSnapshot& s);

// On a terminal: a one-line bar redrawn in place at most ~4×/s. Otherwise (logs, CI): a plain
// line every `plain_interval_s`.
std::unique_ptr<ProgressSink> make_progress(std::FILE* out, bool is_tty,
                                            double plain_interval_s = 5.0);
// make_progress(stderr, isatty(stderr)).
std::unique_ptr<ProgressSink> make_stderr_progress();

}  // namespace servemeter::load
