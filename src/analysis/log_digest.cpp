#include "analysis/log_digest.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <memory>

#include "core/clock.h"
#include "core/metrics.h"

namespace servemeter {

Slo slo_of(const CellInfo& cell) {
  Slo slo;
  const auto it = cell.params.find("slo");
  if (it == cell.params.end() || !it->is_object()) return slo;
  auto get = [&](const char* key) -> std::optional<double> {
    const auto v = it->find(key);
    if (v == it->end() || !v->is_number()) return std::nullopt;
    return v->get<double>();
  };
  slo.ttft_ms = get("ttft_ms");
  slo.tpot_ms = get("tpot_ms");
  slo.e2el_ms = get("e2el_ms");
  return slo;
}

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A cell segment being read: its trials' accumulators live until the segment is finished, when
// each trial's figures and the pooled ones are taken from them.
struct Segment {
  CellDigest digest;
  std::map<int, std::unique_ptr<TrialAccumulator>> live;
  std::map<int, std::unique_ptr<TrialAccumulator>> finished;  // null: a trial that sent nothing
  // Requests of a trial number after that trial's end (a hand-made file): pooled, not reported.
  std::vector<std::unique_ptr<TrialAccumulator>> earlier_parts;
  std::map<int, TrialEnd> ends;
  std::size_t trial_itl_hint = 0;  // the most inter-token gaps of a finished trial
};

void finish_trial(Segment& s, int trial, std::unique_ptr<TrialAccumulator> acc) {
  auto& slot = s.finished[trial];
  if (slot) s.earlier_parts.push_back(std::move(slot));
  slot = std::move(acc);
}

class Digester final : public LogVisitor {
 public:
  Digester(FrameworkLog& log, const DigestOptions& options) : log_(log), options_(options) {}

  void on_run(const RunInfo& run) override {
    close_segment();
    log_.runs.push_back(run);
  }

  void on_cell(const CellInfo& cell) override {
    close_segment();
    v1_ = false;
    open_segment(cell);
  }

  void on_request(const RequestRecord& r, const RequestTags& tags) override {
    // Schema-1 files (and requests outside any cell) have no cell lines: a cell is then a run of
    // request lines with the same scenario and label.
    if (!current_ || (v1_ && !matches_v1(tags))) {
      v1_ = true;
      open_v1_segment(tags);
    }
    Segment& s = *current_;
    auto& acc = s.live[r.trial];
    if (!acc) {
      acc = accumulator(s.digest.info);
      acc->reserve_itl(s.trial_itl_hint);
    }
    acc->add(r);
    if (r.warmup) return;
    if (s.digest.rows.size() >= options_.max_rows_per_cell) {
      s.digest.rows_truncated = true;
      return;
    }
    const double scale = s.digest.info.time_scale > 0 ? s.digest.info.time_scale : 1.0;
    auto ms = [&](std::optional<double> v) { return v ? *v * scale : kNaN; };
    RequestRow row;
    row.id = r.id;
    row.item = r.item;
    row.trial = r.trial;
    row.ok = r.ok();
    row.ttft_ms = ms(ttft_from_intended_ms(r));
    row.ttfc_ms = r.first_content_ns != 0 && r.intended_send_ns != 0
                      ? ns_to_ms(r.first_content_ns - r.intended_send_ns) * scale
                      : kNaN;
    row.e2el_ms = ms(e2el_from_intended_ms(r));
    row.tpot_ms = ms(tpot_ms(r));
    row.input_tokens = r.input_tokens;
    row.output_tokens = r.output_tokens;
    row.output_chars = r.output_chars;
    row.cached_tokens = r.cached_tokens;
    s.digest.rows.push_back(row);
  }

  void on_trial_end(const TrialEnd& end) override {
    if (!current_ || end.cell_key != current_->digest.info.cell_key) {
      log_.problems.push_back("a trial_end for cell " + end.cell_key + " outside its cell");
      return;
    }
    Segment& s = *current_;
    if (const auto it = s.live.find(end.trial); it != s.live.end()) {
      s.trial_itl_hint = std::max(s.trial_itl_hint, it->second->itl_count());
      finish_trial(s, end.trial, std::move(it->second));
      s.live.erase(it);
    } else {
      finish_trial(s, end.trial, nullptr);
    }
    s.ends[end.trial] = end;
  }

  void on_cell_end(const CellEnd& end) override {
    if (!current_ || end.cell_key != current_->digest.info.cell_key) return;
    current_->digest.complete = end.complete;
    current_->digest.stop_reason = end.stop_reason;
    close_segment();
  }

  void on_bad_line(std::uint64_t line_number, std::string_view why) override {
    if (log_.problems.size() < 20)
      log_.problems.push_back("line " + std::to_string(line_number) +
                              " skipped: " + std::string(why));
  }

  void finish() {
    close_segment();
    for (auto& key : order_) {
      auto& slot = by_key_[key];
      CellDigest* chosen = slot.complete ? &*slot.complete : slot.latest ? &*slot.latest : nullptr;
      if (slot.complete && slot.latest)
        log_.problems.push_back("cell " + slot.complete->info.scenario + " " +
                                slot.complete->info.cell +
                                " was measured again and that run was interrupted; the earlier "
                                "complete measurement is reported");
      if (chosen != nullptr) log_.cells.push_back(std::move(*chosen));
    }
  }

 private:
  struct KeySlot {
    std::optional<CellDigest> complete;  // newest complete segment
    std::optional<CellDigest> latest;    // newest segment, when it is not complete
  };

  TrialAccumulator fresh_accumulator(const CellInfo& info) const {
    return TrialAccumulator(info.open_loop, info.time_scale,
                            options_.slo ? *options_.slo : slo_of(info));
  }
  std::unique_ptr<TrialAccumulator> accumulator(const CellInfo& info) {
    if (spare_.empty()) return std::make_unique<TrialAccumulator>(fresh_accumulator(info));
    auto acc = std::move(spare_.back());
    spare_.pop_back();
    acc->reset(info.open_loop, info.time_scale, options_.slo ? *options_.slo : slo_of(info));
    return acc;
  }
  // A finished segment's accumulators serve the next segments' trials.
  void recycle(std::unique_ptr<TrialAccumulator> acc) {
    if (acc && spare_.size() < kSpareAccumulators) spare_.push_back(std::move(acc));
  }

  void open_segment(const CellInfo& cell) {
    current_ = std::make_unique<Segment>();
    current_->digest.info = cell;
  }

  bool matches_v1(const RequestTags& tags) const {
    return current_->digest.info.scenario == tags.scenario &&
           current_->digest.info.cell == tags.cell;
  }
  void open_v1_segment(const RequestTags& tags) {
    close_segment();
    CellInfo info;
    info.scenario = std::string(tags.scenario);
    info.cell = std::string(tags.cell);
    info.cell_key = info.scenario + "|" + info.cell;
    open_segment(info);
  }

  void close_segment() {
    if (!current_) return;
    Segment& s = *current_;
    for (auto& [trial, acc] : s.live) finish_trial(s, trial, std::move(acc));
    s.live.clear();
    // Earlier parts of a trial count in the pooled figures only; they come last.
    std::vector<const TrialAccumulator*> measured;
    for (const auto& [trial, acc] : s.finished)
      if (acc) measured.push_back(acc.get());
    for (const auto& part : s.earlier_parts) measured.push_back(part.get());
    std::vector<TrialFigures> figures;
    if (measured.empty()) {
      s.digest.pooled = fresh_accumulator(s.digest.info).finish();
    } else {
      figures = TrialAccumulator::finish_each(measured, &s.digest.pooled);
    }
    std::size_t next = 0;
    for (const auto& [trial, acc] : s.finished) {
      TrialDigest t;
      t.trial = trial;
      if (acc) t.figures = std::move(figures[next++]);
      if (const auto it = s.ends.find(trial); it != s.ends.end()) t.end = it->second;
      s.digest.trials.push_back(std::move(t));
    }
    for (auto& [trial, acc] : s.finished) recycle(std::move(acc));
    for (auto& part : s.earlier_parts) recycle(std::move(part));
    std::sort(s.digest.rows.begin(), s.digest.rows.end(),
              [](const RequestRow& a, const RequestRow& b) { return a.id < b.id; });
    if (v1_) s.digest.complete = true;  // nothing says otherwise
    const std::string key = s.digest.info.cell_key;
    if (!by_key_.contains(key)) order_.push_back(key);
    KeySlot& slot = by_key_[key];
    // A complete segment is kept once, as the newest complete one; `latest` then holds only a
    // newer segment that is not complete.
    if (s.digest.complete) {
      slot.complete = std::move(s.digest);
      slot.latest.reset();
    } else {
      slot.latest = std::move(s.digest);
    }
    current_.reset();
  }

  FrameworkLog& log_;
  const DigestOptions& options_;
  static constexpr std::size_t kSpareAccumulators = 16;
  std::vector<std::unique_ptr<TrialAccumulator>> spare_;
  std::unique_ptr<Segment> current_;
  bool v1_ = false;  // the current segment was made from request lines alone
  std::vector<std::string> order_;
  std::map<std::string, KeySlot> by_key_;
};

}  // namespace

FrameworkLog digest_log(const std::filesystem::path& path, const DigestOptions& options) {
  FrameworkLog log;
  log.path = path;
  Digester digester(log, options);
  log.stats = read_request_log(path, digester);
  digester.finish();
  if (log.stats.unfinished_tail)
    log.problems.push_back("the last line was cut off (an interrupted write) and is skipped");
  return log;
}

}  // namespace servemeter
