#include "load/run_cell.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/clock.h"
#include "http/event_loop.h"
#include "http/http_client.h"
#include "load/arrivals.h"

namespace servemeter::load {
namespace {

constexpr std::uint64_t kArrivalTimer = 1;
constexpr std::uint64_t kProgressTimer = 2;
constexpr std::int64_t kProgressPeriodNs = 250'000'000;  // ~4 redraws per second
// Spin the last few µs before an arrival rather than trust the wake-up: keeps open-loop send lag
// well under 1 ms at 2,000 req/s for a few % of one core.
constexpr std::int64_t kOpenLoopSpinNs = 20'000;

// Drives one cell. Every per-request object (record, parser, body, URL) is built before the
// run, so the completion → next-send path only indexes vectors.
class CellDriver final : public http::CompletionHandler, public http::TimerHandler {
 public:
  CellDriver(const CellInput& input, ProgressSink& progress)
      : input_(input), progress_(progress), client_(loop_, input.client, *this) {
    prepare();
  }

  CellResult run() {
    const auto n = records_.size();
    const auto warm =
        static_cast<std::size_t>(std::clamp<int>(input_.warmup, 0, static_cast<int>(n)));
    cell_start_ns_ = monotonic_ns();
    loop_.schedule_at(cell_start_ns_ + kProgressPeriodNs, this, kProgressTimer);
    if (warm > 0) {
      in_warmup_ = true;
      run_closed(0, warm, warmup_concurrency());
      in_warmup_ = false;
    }
    if (warm < n && !stopped_) {
      if (const auto* open = std::get_if<OpenLoop>(&input_.load.mode)) {
        run_open(warm, n, *open);
      } else {
        run_closed(warm, n, std::get<ClosedLoop>(input_.load.mode).concurrency);
      }
    }
    loop_.cancel_timers(this);
    progress_.finish(snapshot());
    return result(warm);
  }

  void on_complete(std::uint64_t tag, RequestRecord& record) override {
    if (record.intended_send_ns == 0) record.intended_send_ns = record.send_ns;  // closed loop
    ++done_;
    if (!record.ok()) ++errors_;
    ++phase_done_;
    (void)tag;
    if (next_ < phase_end_ && !open_) {
      send(next_++);
    } else if (open_ && waiting_head_ < waiting_.size() && has_room()) {
      send(waiting_[waiting_head_++]);
    }
    if (phase_done_ == phase_size_) loop_.stop();
  }

  void on_timer(std::uint64_t tag, std::int64_t, std::int64_t fired_ns) override {
    if (tag == kProgressTimer) {
      if (input_.stop != nullptr && *input_.stop != 0 && !stopped_) stop_sending();
      progress_.update(snapshot());
      loop_.schedule_at(fired_ns + kProgressPeriodNs, this, kProgressTimer);
      return;
    }
    // Arrivals: everything due by now (several if the loop was late), in order.
    while (next_ < phase_end_ && records_[next_].intended_send_ns <= fired_ns) {
      const std::size_t i = next_++;
      if (has_room()) {
        send(i);
      } else {
        waiting_.push_back(i);  // keeps its intended time: the wait shows as send lag
      }
    }
    if (next_ < phase_end_)
      loop_.schedule_at(records_[next_].intended_send_ns, this, kArrivalTimer);
  }

 private:
  void prepare() {
    if (input_.adapter == nullptr) throw std::invalid_argument("run_cell: no API adapter given");
    std::string base = input_.base_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    const auto n = input_.requests.size();
    records_.resize(n);
    specs_.reserve(n);
    urls_.reserve(n);
    parsers_.reserve(n);
    waiting_.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      const PreparedRequest& p = input_.requests[i];
      if (const auto* gen = std::get_if<GenerationRequest>(&p.request)) {
        specs_.push_back(input_.adapter->build_request(*gen));
      } else {
        specs_.push_back(std::get<HttpRequestSpec>(p.request));
      }
      urls_.push_back(base + specs_.back().path);
      parsers_.push_back(input_.adapter->new_parser());
      RequestRecord& r = records_[i];
      r.id = input_.first_id + i;
      r.trial = input_.trial;
      r.cell = input_.cell;
      r.warmup = static_cast<int>(i) < input_.warmup;
      r.requested_input_tokens = p.requested_input_tokens;
      r.requested_output_tokens = p.requested_output_tokens;
    }
  }

  int warmup_concurrency() const {
    if (const auto* open = std::get_if<OpenLoop>(&input_.load.mode))
      return open->max_concurrency > 0 ? open->max_concurrency : 1;
    return std::get<ClosedLoop>(input_.load.mode).concurrency;
  }

  bool has_room() const {
    return cap_ <= 0 || client_.in_flight() < static_cast<std::size_t>(cap_);
  }

  // Interrupted: send nothing more, let the requests in flight finish, keep their records.
  void stop_sending() {
    stopped_ = true;
    phase_end_ = next_;
    waiting_head_ = waiting_.size();
    phase_size_ = sent_in_phase_;
    if (phase_done_ == phase_size_) loop_.stop();
  }

  void send(std::size_t i) {
    ++sent_in_phase_;
    client_.start(http::TransferSpec{urls_[i], specs_[i].body, parsers_[i].get(), input_.adapter,
                                     &records_[i], i});
  }

  void begin_phase(std::size_t begin, std::size_t end) {
    next_ = begin;
    phase_end_ = end;
    phase_size_ = end - begin;
    phase_done_ = 0;
    sent_in_phase_ = 0;
  }

  void run_closed(std::size_t begin, std::size_t end, int concurrency) {
    if (concurrency < 1)
      throw std::invalid_argument("concurrency must be >= 1 (got " + std::to_string(concurrency) +
                                  ")");
    open_ = false;
    begin_phase(begin, end);
    const std::size_t first =
        std::min<std::size_t>(static_cast<std::size_t>(concurrency), end - begin);
    for (std::size_t k = 0; k < first; ++k) send(next_++);
    loop_.run();
  }

  void run_open(std::size_t begin, std::size_t end, const OpenLoop& spec) {
    const auto offsets =
        arrival_offsets_ns(end - begin, spec.request_rate, spec.burstiness, input_.load.seed);
    open_ = true;
    cap_ = spec.max_concurrency;
    begin_phase(begin, end);
    loop_.set_timer_spin_ns(kOpenLoopSpinNs);
    const std::int64_t start = monotonic_ns() + 1'000'000;  // room to arm the first timer
    for (std::size_t i = begin; i < end; ++i)
      records_[i].intended_send_ns = start + offsets[i - begin];
    loop_.schedule_at(records_[begin].intended_send_ns, this, kArrivalTimer);
    loop_.run();
    loop_.set_timer_spin_ns(0);
  }

  ProgressSnapshot snapshot() const {
    ProgressSnapshot s;
    s.label = input_.cell;
    s.warmup = in_warmup_;
    s.done = done_;
    s.total = static_cast<std::int64_t>(records_.size());
    s.errors = errors_;
    s.elapsed_s = static_cast<double>(monotonic_ns() - cell_start_ns_) / 1e9;
    return s;
  }

  CellResult result(std::size_t warm) {
    CellResult out;
    std::int64_t first_send = 0;
    std::int64_t last_send = 0;
    std::int64_t last_end = 0;
    std::size_t sends = 0;
    for (std::size_t i = warm; i < records_.size(); ++i) {
      const RequestRecord& r = records_[i];
      if (r.send_ns > 0) {
        ++sends;
        first_send = first_send == 0 ? r.send_ns : std::min(first_send, r.send_ns);
        last_send = std::max(last_send, r.send_ns);
      }
      last_end = std::max(last_end, r.end_ns);
    }
    out.window_start_ns = first_send;
    out.window_end_ns = first_send > 0 ? last_end : 0;
    if (const auto* open = std::get_if<OpenLoop>(&input_.load.mode))
      out.target_rate = open->request_rate;
    if (sends >= 2 && last_send > first_send)
      out.achieved_rate =
          static_cast<double>(sends - 1) * 1e9 / static_cast<double>(last_send - first_send);
    out.records = std::move(records_);
    if (stopped_)  // requests never sent were never measured
      std::erase_if(out.records, [](const RequestRecord& r) { return r.send_ns == 0; });
    return out;
  }

  const CellInput& input_;
  ProgressSink& progress_;
  http::EventLoop loop_;
  http::HttpClient client_;
  std::vector<RequestRecord> records_;
  std::vector<HttpRequestSpec> specs_;
  std::vector<std::string> urls_;
  std::vector<std::unique_ptr<StreamParser>> parsers_;
  std::vector<std::size_t> waiting_;  // open loop: arrived, held back by max_concurrency (FIFO)
  std::size_t waiting_head_ = 0;
  std::size_t next_ = 0;
  std::size_t phase_end_ = 0;
  std::size_t phase_size_ = 0;
  std::size_t phase_done_ = 0;
  std::size_t sent_in_phase_ = 0;
  bool open_ = false;
  bool stopped_ = false;
  bool in_warmup_ = false;
  int cap_ = 0;
  std::int64_t done_ = 0;
  std::int64_t errors_ = 0;
  std::int64_t cell_start_ns_ = 0;
};

}  // namespace

CellResult run_cell(const CellInput& input, ProgressSink& progress) {
  CellDriver driver(input, progress);
  return driver.run();
}

}  // namespace servemeter::load
