#include "telemetry/gpu_sampler.h"

#include "core/clock.h"

namespace servemeter::telemetry {

GpuSampler::GpuSampler(GpuProbe& probe, GpuSamplerOptions options)
    : probe_(probe), options_(options) {
  if (options_.interval <= std::chrono::milliseconds(0))
    options_.interval = std::chrono::milliseconds(100);
  if (options_.max_idle_age <= std::chrono::milliseconds(0))
    options_.max_idle_age = 2 * options_.interval;
}

GpuSampler::~GpuSampler() {
  stop();
}

void GpuSampler::start() {
  std::unique_lock lock(mutex_);
  if (running_ || !probe_.unavailable_reason().empty()) return;
  running_ = true;
  stopping_ = false;
  const std::uint64_t first = request_sample_locked();
  thread_ = std::thread([this] { run(); });
  wait_served_locked(lock, first);
}

void GpuSampler::stop() {
  {
    std::lock_guard lock(mutex_);
    if (!thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  served_.notify_all();
  thread_.join();
  std::lock_guard lock(mutex_);
  running_ = false;
  window_.reset();
}

bool GpuSampler::running() const {
  std::lock_guard lock(mutex_);
  return running_ && !stopping_;
}

std::uint64_t GpuSampler::samples_taken() const {
  std::lock_guard lock(mutex_);
  return taken_;
}

std::uint64_t GpuSampler::request_sample_locked() {
  ++requested_;
  wake_.notify_all();
  return requested_;
}

bool GpuSampler::wait_served_locked(std::unique_lock<std::mutex>& lock, std::uint64_t request) {
  return served_.wait_for(lock, options_.wait_limit, [&] {
    return served_up_to_ >= request || stopping_ || !running_;
  }) && served_up_to_ >= request;
}

bool GpuSampler::sample_now() {
  std::unique_lock lock(mutex_);
  if (!running_ || stopping_) return false;
  return wait_served_locked(lock, request_sample_locked());
}

void GpuSampler::run() {
  std::unique_lock lock(mutex_);
  auto next_due = std::chrono::steady_clock::now();
  while (!stopping_) {
    wake_.wait_until(lock, next_due, [&] { return stopping_ || requested_ > served_up_to_; });
    if (stopping_) break;
    // Requests made up to here are served by this sample: it starts after them.
    const std::uint64_t serves = requested_;
    lock.unlock();
    const auto started = std::chrono::steady_clock::now();
    GpuSample sample = probe_.sample();
    lock.lock();
    record(sample, serves);
    served_up_to_ = serves;
    next_due = started + options_.interval;
    served_.notify_all();
  }
}

void GpuSampler::record(const GpuSample& sample, std::uint64_t served) {
  ++taken_;
  if (sample.error.empty()) last_ = sample;
  if (!window_ || window_->closed) return;
  Window& w = *window_;
  if (sample.t_ns < w.begin_ns) {
    // Started before the window opened and finished after: the newest baseline.
    w.accumulator.set_idle(sample);
    return;
  }
  w.accumulator.add(sample);
  if (w.writer) w.writer->sample(w.options.label, sample);
  if (w.closing_request != 0 && served >= w.closing_request) w.closed = true;
}

std::string GpuSampler::begin_window(GpuWindowOptions options) {
  std::unique_lock lock(mutex_);
  window_.reset();
  if (!running_ || stopping_) return {};
  const auto max_age_ns = std::chrono::nanoseconds(options_.max_idle_age).count();
  if (!last_ || monotonic_ns() - last_->t_ns > max_age_ns) {
    wait_served_locked(lock, request_sample_locked());
    if (!running_ || stopping_) return {};
  }
  std::string error;
  std::unique_ptr<GpuTimeseriesWriter> writer;
  if (!options.timeseries.empty())
    writer = GpuTimeseriesWriter::open(options.timeseries, probe_.kind(), probe_.gpus(), error);
  window_.emplace(Window{std::move(options), monotonic_ns(), 0, 0, false, std::move(writer),
                         GpuWindowAccumulator(std::string(probe_.kind()), probe_.gpus())});
  Window& w = *window_;
  if (last_) w.accumulator.set_idle(*last_);
  if (w.writer) w.writer->window_begin(w.options.label, w.begin_ns, last_ ? &*last_ : nullptr);
  return error;
}

GpuWindowSummary GpuSampler::end_window() {
  std::unique_lock lock(mutex_);
  const std::int64_t end_ns = monotonic_ns();
  if (!running_ || stopping_) {
    const std::string& why = probe_.unavailable_reason();
    return unmeasured_window(probe_.kind(), why.empty() ? "the GPU sampler was not running" : why);
  }
  if (!window_) return unmeasured_window(probe_.kind(), "no window was begun");
  window_->end_ns = end_ns;
  window_->closing_request = request_sample_locked();
  wait_served_locked(lock, window_->closing_request);
  if (!window_)
    return unmeasured_window(probe_.kind(), "the GPU sampler stopped during the window");
  Window w = std::move(*window_);
  window_.reset();
  GpuWindowSummary summary = w.accumulator.summary(w.begin_ns, w.end_ns);
  if (!w.closed && summary.null_reason.empty())
    summary.last_error = "the closing sample did not arrive within the wait limit";
  if (w.writer) w.writer->window_end(w.options.label, w.end_ns, summary);
  return summary;
}

}  // namespace servemeter::telemetry
