#include "load/run_cell.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/clock.h"
#include "http/event_loop.h"
#include "http/http_client.h"
#include "load/arrivals.h"

namespace servemeter::load {

std::string_view to_string(StopReason reason) noexcept {
  switch (reason) {
    case StopReason::none:
      return "none";
    case StopReason::interrupted:
      return "interrupted";
    case StopReason::server_gone:
      return "server_gone";
    case StopReason::client_out_of_files:
      return "client_out_of_files";
  }
  return "none";
}

namespace {

constexpr std::uint64_t kArrivalTimer = 1;
constexpr std::uint64_t kControlTimer = 2;
// Stop requests and progress are looked at this often.
constexpr std::int64_t kControlPeriodNs = 100'000'000;
// Spin the last few µs before an arrival rather than trust the wake-up: keeps open-loop send lag
// well under 1 ms at 2,000 req/s for a few % of one core.
constexpr std::int64_t kOpenLoopSpinNs = 20'000;

// One request in flight: its record, body, URL and stream parser. Slots are reused, so a cell of
// any length holds only as many as were ever in flight at once.
struct Slot {
  std::uint64_t index = 0;  // in CellDriver::slots_: the transfer's tag
  RequestRecord record;
  HttpRequestSpec spec;
  std::string url;
  std::unique_ptr<StreamParser> parser;
};

// The records a caller without a sink gets back in CellResult::records.
class KeepingSink final : public RecordSink {
 public:
  void on_record(const RequestRecord& record) override { records.push_back(record); }
  std::vector<RequestRecord> records;
};

bool out_of_files(const RequestRecord& r) {
  return r.error == ErrorKind::connect &&
         (r.error_message.find("Too many open files") != std::string::npos);
}

class CellDriver final : public http::CompletionHandler, public http::TimerHandler {
 public:
  CellDriver(const CellInput& input, ProgressSink& progress)
      : input_(input),
        progress_(progress),
        client_(loop_, input.client, *this),
        fallback_source_(input.requests),
        source_(input.source != nullptr ? *input.source : fallback_source_),
        sink_(input.sink != nullptr ? *input.sink : keeping_sink_) {
    if (input_.adapter == nullptr) throw std::invalid_argument("run_cell: no API adapter given");
    base_ = input_.base_url;
    while (!base_.empty() && base_.back() == '/') base_.pop_back();
    total_ = source_.size();
  }

  CellResult run() {
    const auto warm = static_cast<std::size_t>(std::clamp<std::int64_t>(input_.warmup, 0, total_));
    warm_ = warm;
    cell_start_ns_ = monotonic_ns();
    loop_.schedule_at(cell_start_ns_ + kControlPeriodNs, this, kControlTimer);
    if (warm > 0) {
      in_warmup_ = true;
      run_closed(0, warm, warmup_concurrency());
      in_warmup_ = false;
    }
    if (warm < total_ && !stopping_) {
      if (const auto* open = std::get_if<OpenLoop>(&input_.load.mode)) {
        run_open(warm, total_, *open);
      } else {
        run_closed(warm, total_, std::get<ClosedLoop>(input_.load.mode).concurrency);
      }
    }
    loop_.cancel_timers(this);
    progress_.finish(snapshot());
    return result();
  }

  void on_complete(std::uint64_t tag, RequestRecord& record) override {
    Slot& slot = *slots_[tag];
    if (record.intended_send_ns == 0) record.intended_send_ns = record.send_ns;  // closed loop
    ++completed_;
    if (!record.ok()) ++failed_;
    if (record.error == ErrorKind::cancelled) ++cancelled_;
    if (!record.warmup) note_measured(record);
    watch_for_dead_server(record);
    sink_.on_record(record);
    free_slots_.push_back(&slot);
    ++phase_done_;
    if (!stopping_) {
      if (!open_ && next_ < phase_end_) {
        send(next_++, 0);
      } else if (open_ && !waiting_.empty() && has_room()) {
        const auto [index, intended] = waiting_.front();
        waiting_.pop_front();
        send(index, intended);
      }
    }
    if (phase_sent_ == phase_done_ && (stopping_ || phase_sent_ == phase_size_)) loop_.stop();
  }

  void on_timer(std::uint64_t tag, std::int64_t, std::int64_t fired_ns) override {
    if (tag == kControlTimer) {
      control(fired_ns);
      loop_.schedule_at(fired_ns + kControlPeriodNs, this, kControlTimer);
      return;
    }
    // Arrivals: everything due by now (several if the loop was late), in order.
    while (!stopping_ && next_ < phase_end_ && next_intended_ns_ <= fired_ns) {
      const std::size_t i = next_++;
      const std::int64_t intended = next_intended_ns_;
      next_intended_ns_ = open_start_ns_ + arrivals_->next_offset_ns();
      if (has_room()) {
        send(i, intended);
      } else {
        waiting_.emplace_back(i, intended);  // keeps its intended time: the wait shows as lag
      }
    }
    if (!stopping_ && next_ < phase_end_) loop_.schedule_at(next_intended_ns_, this, kArrivalTimer);
  }

 private:
  int warmup_concurrency() const {
    if (const auto* open = std::get_if<OpenLoop>(&input_.load.mode))
      return open->max_concurrency > 0 ? open->max_concurrency : 1;
    return std::get<ClosedLoop>(input_.load.mode).concurrency;
  }

  bool has_room() const {
    return cap_ <= 0 || client_.in_flight() < static_cast<std::size_t>(cap_);
  }

  // The user's interrupt, the grace period, and progress.
  void control(std::int64_t now) {
    const int level = input_.stop.level != nullptr ? *input_.stop.level : 0;
    if (level >= 1 && !stopping_) {
      stop_sending(StopReason::interrupted, "interrupted by the user");
      grace_deadline_ns_ = now + input_.stop.grace_ns;
    }
    if (stopping_ && stop_reason_ == StopReason::interrupted && client_.in_flight() > 0 &&
        (level >= 2 || now >= grace_deadline_ns_)) {
      client_.cancel_all();
    }
    progress_.update(snapshot());
  }

  // Send nothing more; the loop ends when the requests in flight have finished.
  void stop_sending(StopReason reason, std::string detail) {
    if (stopping_) return;
    stopping_ = true;
    stop_reason_ = reason;
    stop_detail_ = std::move(detail);
    waiting_.clear();  // a pending arrival timer finds stopping_ set and sends nothing
    if (phase_done_ == phase_sent_) loop_.stop();
  }

  // A dead server fails every request within milliseconds: stop instead of recording thousands
  // of identical failures that say nothing about the server.
  void watch_for_dead_server(const RequestRecord& record) {
    if (record.error != ErrorKind::connect) {
      consecutive_connect_failures_ = 0;
      return;
    }
    if (out_of_files(record)) {
      stop_sending(StopReason::client_out_of_files,
                   "the client ran out of file descriptors: " + record.error_message);
      return;
    }
    if (++consecutive_connect_failures_ < gone_threshold_) return;
    stop_sending(StopReason::server_gone,
                 std::to_string(consecutive_connect_failures_) +
                     " connection failures in a row; the last: " + record.error_message);
  }

  void note_measured(const RequestRecord& r) {
    if (r.send_ns > 0) {
      ++measured_sends_;
      first_send_ns_ = first_send_ns_ == 0 ? r.send_ns : std::min(first_send_ns_, r.send_ns);
      last_send_ns_ = std::max(last_send_ns_, r.send_ns);
    }
    last_end_ns_ = std::max(last_end_ns_, r.end_ns);
  }

  Slot& acquire_slot() {
    if (free_slots_.empty()) {
      slots_.push_back(std::make_unique<Slot>());
      slots_.back()->index = slots_.size() - 1;
      return *slots_.back();
    }
    Slot* s = free_slots_.back();
    free_slots_.pop_back();
    return *s;
  }

  void reset_record(RequestRecord& r, std::size_t index, std::int64_t intended_ns) {
    std::vector<std::int64_t> stamps = std::move(r.token_event_ns);
    std::string message = std::move(r.error_message);
    std::string finish = std::move(r.finish_reason);
    std::string cell = std::move(r.cell);
    stamps.clear();
    message.clear();
    finish.clear();
    r = RequestRecord{};
    r.token_event_ns = std::move(stamps);  // capacity kept: no regrowth on the hot path
    r.error_message = std::move(message);
    r.finish_reason = std::move(finish);
    r.cell = std::move(cell);
    r.cell.assign(input_.cell);
    r.id = input_.first_id + index;
    r.trial = input_.trial;
    r.warmup = index < warm_;
    r.intended_send_ns = intended_ns;
    r.requested_input_tokens = prepared_.requested_input_tokens;
    r.requested_output_tokens = prepared_.requested_output_tokens;
    r.item = prepared_.item;
  }

  void send(std::size_t index, std::int64_t intended_ns) {
    Slot& slot = acquire_slot();
    source_.make(index, prepared_);
    if (const auto* gen = std::get_if<GenerationRequest>(&prepared_.request)) {
      slot.spec = input_.adapter->build_request(*gen);
    } else {
      slot.spec = std::get<HttpRequestSpec>(prepared_.request);
    }
    slot.url.assign(base_).append(slot.spec.path);
    slot.parser = input_.adapter->new_parser();
    reset_record(slot.record, index, intended_ns);
    ++phase_sent_;
    ++sent_;
    client_.start(http::TransferSpec{slot.url, slot.spec.body, slot.parser.get(), input_.adapter,
                                     &slot.record, slot.index});
  }

  void begin_phase(std::size_t begin, std::size_t end) {
    next_ = begin;
    phase_end_ = end;
    phase_size_ = end - begin;
    phase_done_ = 0;
    phase_sent_ = 0;
  }

  void run_closed(std::size_t begin, std::size_t end, int concurrency) {
    if (concurrency < 1)
      throw std::invalid_argument("concurrency must be >= 1 (got " + std::to_string(concurrency) +
                                  ")");
    open_ = false;
    cap_ = concurrency;
    gone_threshold_ = std::max(input_.server_gone_after, concurrency);
    begin_phase(begin, end);
    const std::size_t first =
        std::min<std::size_t>(static_cast<std::size_t>(concurrency), end - begin);
    for (std::size_t k = 0; k < first && !stopping_; ++k) send(next_++, 0);
    if (phase_sent_ > phase_done_) loop_.run();
  }

  void run_open(std::size_t begin, std::size_t end, const OpenLoop& spec) {
    arrivals_.emplace(spec.request_rate, spec.burstiness, input_.load.seed);
    open_ = true;
    cap_ = spec.max_concurrency;
    gone_threshold_ = std::max(input_.server_gone_after, spec.max_concurrency);
    begin_phase(begin, end);
    loop_.set_timer_spin_ns(kOpenLoopSpinNs);
    open_start_ns_ = monotonic_ns() + 1'000'000;  // room to arm the first timer
    next_intended_ns_ = open_start_ns_ + arrivals_->next_offset_ns();
    loop_.schedule_at(next_intended_ns_, this, kArrivalTimer);
    loop_.run();
    loop_.set_timer_spin_ns(0);
  }

  ProgressSnapshot snapshot() const {
    ProgressSnapshot s;
    s.label = input_.cell;
    s.warmup = in_warmup_;
    s.done = completed_;
    s.total = static_cast<std::int64_t>(total_);
    s.errors = failed_;
    s.elapsed_s = static_cast<double>(monotonic_ns() - cell_start_ns_) / 1e9;
    return s;
  }

  CellResult result() {
    CellResult out;
    out.window_start_ns = first_send_ns_;
    out.window_end_ns = first_send_ns_ > 0 ? last_end_ns_ : 0;
    if (const auto* open = std::get_if<OpenLoop>(&input_.load.mode))
      out.target_rate = open->request_rate;
    if (measured_sends_ >= 2 && last_send_ns_ > first_send_ns_)
      out.achieved_rate = static_cast<double>(measured_sends_ - 1) * 1e9 /
                          static_cast<double>(last_send_ns_ - first_send_ns_);
    out.planned = static_cast<std::int64_t>(total_);
    out.sent = sent_;
    out.completed = completed_;
    out.failed = failed_;
    out.cancelled = cancelled_;
    out.stop_reason = stop_reason_;
    out.stop_detail = stop_detail_;
    out.records = std::move(keeping_sink_.records);
    std::sort(out.records.begin(), out.records.end(),
              [](const RequestRecord& a, const RequestRecord& b) { return a.id < b.id; });
    return out;
  }

  const CellInput& input_;
  ProgressSink& progress_;
  http::EventLoop loop_;
  http::HttpClient client_;
  VectorSource fallback_source_;
  const RequestSource& source_;
  KeepingSink keeping_sink_;
  RecordSink& sink_;
  std::string base_;
  std::size_t total_ = 0;
  std::size_t warm_ = 0;
  PreparedRequest prepared_;  // reused for every request built
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<Slot*> free_slots_;
  std::optional<ArrivalProcess> arrivals_;
  std::int64_t open_start_ns_ = 0;
  std::int64_t next_intended_ns_ = 0;
  // Open loop: arrived, held back by max_concurrency (FIFO), with their intended send times.
  std::deque<std::pair<std::size_t, std::int64_t>> waiting_;
  std::size_t next_ = 0;
  std::size_t phase_end_ = 0;
  std::size_t phase_size_ = 0;
  std::size_t phase_done_ = 0;
  std::size_t phase_sent_ = 0;
  bool open_ = false;
  bool stopping_ = false;
  bool in_warmup_ = false;
  int cap_ = 0;
  int gone_threshold_ = 10;
  int consecutive_connect_failures_ = 0;
  StopReason stop_reason_ = StopReason::none;
  std::string stop_detail_;
  std::int64_t grace_deadline_ns_ = 0;
  std::int64_t sent_ = 0;
  std::int64_t completed_ = 0;
  std::int64_t failed_ = 0;
  std::int64_t cancelled_ = 0;
  std::int64_t measured_sends_ = 0;
  std::int64_t first_send_ns_ = 0;
  std::int64_t last_send_ns_ = 0;
  std::int64_t last_end_ns_ = 0;
  std::int64_t cell_start_ns_ = 0;
};

}  // namespace

CellResult run_cell(const CellInput& input, ProgressSink& progress) {
  CellDriver driver(input, progress);
  return driver.run();
}

}  // namespace servemeter::load
