#include "load/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>

namespace servemeter::load {
namespace {

class TtyProgress final : public ProgressSink {
 public:
  explicit TtyProgress(std::FILE* out) : out_(out) {}
  void update(const ProgressSnapshot& s) override {
    if (s.elapsed_s - last_draw_s_ < 0.25 && last_draw_s_ >= 0) return;
    last_draw_s_ = s.elapsed_s;
    draw(s);
  }
  void finish(const ProgressSnapshot& s) override {
    draw(s);
    std::fputc('\n', out_);
    std::fflush(out_);
  }

 private:
  void draw(const ProgressSnapshot& s) {
    constexpr int kWidth = 24;
    const double frac =
        s.total > 0 ? static_cast<double>(s.done) / static_cast<double>(s.total) : 0;
    const int filled = std::clamp(static_cast<int>(frac * kWidth), 0, kWidth);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.append(static_cast<std::size_t>(kWidth - filled), '.');
    // \r + erase-line: redraw in place without scrolling the terminal.
    std::fprintf(out_, "\r\033[K[%s] %s", bar.c_str(), format_progress(s).c_str());
    std::fflush(out_);
  }
  std::FILE* out_;
  double last_draw_s_ = -1;
};

class PlainProgress final : public ProgressSink {
 public:
  PlainProgress(std::FILE* out, double interval_s) : out_(out), interval_s_(interval_s) {}
  void update(const ProgressSnapshot& s) override {
    if (s.elapsed_s < next_s_) return;
    next_s_ = s.elapsed_s + interval_s_;
    std::fprintf(out_, "%s\n", format_progress(s).c_str());
    std::fflush(out_);
  }
  void finish(const ProgressSnapshot& s) override {
    std::fprintf(out_, "%s (done)\n", format_progress(s).c_str());
    std::fflush(out_);
  }

 private:
  std::FILE* out_;
  double interval_s_;
  double next_s_ = 0;  // first update prints at once, so a log shows the cell started
};

}  // namespace

std::string format_progress(const ProgressSnapshot& s) {
  const double rate = s.elapsed_s > 0 ? static_cast<double>(s.done) / s.elapsed_s : 0.0;
  char eta[32] = "ETA -";
  if (rate > 0 && s.done < s.total) {
    const double left = static_cast<double>(s.total - s.done) / rate;
    std::snprintf(eta, sizeof eta, "ETA %.0f s", std::ceil(left));
  } else if (s.done >= s.total) {
    std::snprintf(eta, sizeof eta, "ETA 0 s");
  }
  char line[256];
  std::snprintf(line, sizeof line, "%.*s%s %lld/%lld  %.1f req/s  %lld errors  %s",
                static_cast<int>(s.label.size()), s.label.data(), s.warmup ? " (warm-up)" : "",
                static_cast<long long>(s.done), static_cast<long long>(s.total), rate,
                static_cast<long long>(s.errors), eta);
  return line;
}

std::unique_ptr<ProgressSink> make_progress(std::FILE* out, bool is_tty, double plain_interval_s) {
  if (is_tty) return std::make_unique<TtyProgress>(out);
  return std::make_unique<PlainProgress>(out, plain_interval_s);
}

std::unique_ptr<ProgressSink> make_stderr_progress() {
  return make_progress(stderr, isatty(STDERR_FILENO) == 1);
}

}  // namespace servemeter::load
