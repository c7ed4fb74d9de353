#include "analysis/trial_figures.h"

#include <algorithm>
#include <vector>

#include "core/clock.h"
#include "core/metrics.h"

namespace servemeter {

TrialAccumulator::TrialAccumulator(bool open_loop, double time_scale, Slo slo)
    : open_loop_(open_loop),
      scale_(time_scale > 0 ? time_scale : 1.0),
      slo_(slo),
      itl_(scale_, std::size_t{1} << 18) {}

void TrialAccumulator::reset(bool open_loop, double time_scale, Slo slo) {
  TrialAccumulator fresh(open_loop, time_scale, slo);
  const auto mine = sample_sets(*this);
  const auto theirs = sample_sets(fresh);
  for (std::size_t i = 0; i < mine.size(); ++i) {
    mine[i]->clear();
    *theirs[i] = std::move(*mine[i]);
  }
  itl_.clear(fresh.scale_);
  fresh.itl_ = std::move(itl_);
  *this = std::move(fresh);
}

void TrialAccumulator::add(const RequestRecord& r) {
  if (r.warmup) return;
  if (r.error == ErrorKind::cancelled) {
    ++f_.cancelled;
    return;
  }
  ++f_.measured;
  f_.retries += r.retries;
  if (r.send_ns != 0) {
    ++sends_;
    first_send_ = first_send_ == 0 ? r.send_ns : std::min(first_send_, r.send_ns);
    last_send_ = std::max(last_send_, r.send_ns);
  }
  last_end_ = std::max(last_end_, r.end_ns);
  if (r.retry_after_s)
    f_.max_retry_after_s = std::max(f_.max_retry_after_s.value_or(0.0), *r.retry_after_s);
  if (!r.ok()) {
    ++f_.errors_by_kind[std::string(to_string(r.error))];
    if (r.http_status != 0) ++f_.http_statuses[r.http_status];
    return;
  }
  ++f_.succeeded;
  if ((r.flags & kFlagInvalidUtf8) != 0) ++f_.invalid_utf8;
  if (r.output_tokens > 0) f_.output_tokens += r.output_tokens;
  if (r.output_tokens_source == TokenCountSource::chunk_count) f_.output_tokens_from_chunks = true;
  if (r.input_tokens >= 0) {
    f_.input_tokens += r.input_tokens;
    if (r.requested_input_tokens > 0 && r.input_tokens < r.requested_input_tokens)
      ++f_.input_below_target;
  } else {
    f_.input_tokens_unknown = true;
  }
  if (r.output_chars >= 0) {
    f_.output_chars += r.output_chars;
  } else {
    f_.output_chars_unknown = true;
  }
  if (r.output_tokens >= 0) output_tokens_sum_ += static_cast<double>(r.output_tokens);
  if (r.requested_output_tokens > 0) {
    target_sum_ += static_cast<double>(r.requested_output_tokens);
    ++target_count_;
    if (r.output_tokens >= 0 && r.output_tokens < r.requested_output_tokens) ++f_.stopped_early;
  }
  if (r.cached_tokens >= 0 && r.input_tokens > 0) {
    cached_ += r.cached_tokens;
    input_with_cache_report_ += r.input_tokens;
  }

  const auto scaled = [&](std::optional<double> v) {
    return v ? std::optional<double>(*v * scale_) : std::nullopt;
  };
  const auto ttft = scaled(ttft_from_intended_ms(r));
  const auto e2el = scaled(e2el_from_intended_ms(r));
  const auto tpot = scaled(tpot_ms(r));
  if (ttft) ttft_.add(*ttft);
  if (r.first_content_ns != 0 && r.intended_send_ns != 0 &&
      r.first_content_ns >= r.intended_send_ns)
    ttfc_.add(ns_to_ms(r.first_content_ns - r.intended_send_ns) * scale_);
  if (tpot) tpot_.add(*tpot);
  if (e2el) e2el_.add(*e2el);
  itl_.add_gaps(r.token_event_ns);
  if (open_loop_) {
    if (const auto v = scaled(ttft_ms(r))) service_ttft_.add(*v);
    if (const auto v = scaled(e2el_ms(r))) service_e2el_.add(*v);
    if (const auto v = scaled(send_lag_ms(r))) send_lag_.add(*v);
  }
  if (slo_.any()) {
    const bool good = (!slo_.ttft_ms || (ttft && *ttft <= *slo_.ttft_ms)) &&
                      (!slo_.tpot_ms || (tpot && *tpot <= *slo_.tpot_ms)) &&
                      (!slo_.e2el_ms || (e2el && *e2el <= *slo_.e2el_ms));
    if (good) ++good_;
  }
}

void TrialAccumulator::absorb(const TrialAccumulator& o) {
  f_.measured += o.f_.measured;
  f_.succeeded += o.f_.succeeded;
  f_.cancelled += o.f_.cancelled;
  for (const auto& [kind, n] : o.f_.errors_by_kind) f_.errors_by_kind[kind] += n;
  for (const auto& [status, n] : o.f_.http_statuses) f_.http_statuses[status] += n;
  if (o.f_.max_retry_after_s)
    f_.max_retry_after_s = std::max(f_.max_retry_after_s.value_or(0.0), *o.f_.max_retry_after_s);
  f_.retries += o.f_.retries;
  f_.invalid_utf8 += o.f_.invalid_utf8;
  f_.output_tokens += o.f_.output_tokens;
  f_.input_tokens += o.f_.input_tokens;
  f_.output_chars += o.f_.output_chars;
  f_.output_tokens_from_chunks = f_.output_tokens_from_chunks || o.f_.output_tokens_from_chunks;
  f_.input_tokens_unknown = f_.input_tokens_unknown || o.f_.input_tokens_unknown;
  f_.output_chars_unknown = f_.output_chars_unknown || o.f_.output_chars_unknown;
  f_.stopped_early += o.f_.stopped_early;
  f_.input_below_target += o.f_.input_below_target;
  const auto mine = sample_sets(*this);
  const auto theirs = sample_sets(o);
  for (std::size_t i = 0; i < mine.size(); ++i) mine[i]->merge(*theirs[i]);
  if (o.first_send_ != 0)
    first_send_ = first_send_ == 0 ? o.first_send_ : std::min(first_send_, o.first_send_);
  last_send_ = std::max(last_send_, o.last_send_);
  last_end_ = std::max(last_end_, o.last_end_);
  sends_ += o.sends_;
  cached_ += o.cached_;
  input_with_cache_report_ += o.input_with_cache_report_;
  good_ += o.good_;
  output_tokens_sum_ += o.output_tokens_sum_;
  target_sum_ += o.target_sum_;
  target_count_ += o.target_count_;
}

std::vector<TrialFigures> TrialAccumulator::finish_each(
    std::span<const TrialAccumulator* const> trials, TrialFigures* pooled) {
  std::vector<const DurationSet*> gaps;
  for (const TrialAccumulator* t : trials) gaps.push_back(&t->itl_);
  std::optional<Distribution> pooled_itl;
  auto itl = DurationSet::summarize_each(gaps, pooled != nullptr ? &pooled_itl : nullptr);
  std::vector<TrialFigures> figures;
  for (std::size_t i = 0; i < trials.size(); ++i)
    figures.push_back(trials[i]->finish_with(std::move(itl[i]), trials[i]->itl_.exact()));
  if (pooled != nullptr && !trials.empty()) {
    const TrialAccumulator& first = *trials.front();
    TrialAccumulator all(first.open_loop_, first.scale_, first.slo_);
    for (const TrialAccumulator* t : trials) all.absorb(*t);
    *pooled = all.finish_with(std::move(pooled_itl), DurationSet::all_exact(gaps));
  }
  return figures;
}

TrialFigures TrialAccumulator::finish() const {
  return finish_with(itl_.summarize(), itl_.exact());
}

TrialFigures TrialAccumulator::finish_with(std::optional<Distribution> itl_ms,
                                           bool itl_exact) const {
  TrialFigures f = f_;
  f.ttft_ms = ttft_.summarize();
  f.ttfc_ms = ttfc_.summarize();
  f.tpot_ms = tpot_.summarize();
  f.itl_ms = std::move(itl_ms);
  f.e2el_ms = e2el_.summarize();
  if (open_loop_) {
    f.service_ttft_ms = service_ttft_.summarize();
    f.service_e2el_ms = service_e2el_.summarize();
    f.send_lag_ms = send_lag_.summarize();
    if (sends_ >= 2 && last_send_ > first_send_)
      f.achieved_request_rate = static_cast<double>(sends_ - 1) /
                                (static_cast<double>(last_send_ - first_send_) / 1e9 * scale_);
  }
  f.percentiles_exact = ttft_.exact() && tpot_.exact() && itl_exact && e2el_.exact();
  if (f.succeeded > 0 && target_count_ > 0) {
    f.mean_output_tokens = output_tokens_sum_ / static_cast<double>(f.succeeded);
    f.target_output_tokens = target_sum_ / static_cast<double>(target_count_);
  }
  if (f.measured > 0)
    f.success_rate = 100.0 * static_cast<double>(f.succeeded) / static_cast<double>(f.measured);
  if (last_end_ > first_send_ && first_send_ != 0) {
    f.duration_s = static_cast<double>(last_end_ - first_send_) / 1e9 * scale_;
    if (f.succeeded > 0) {
      f.request_throughput = static_cast<double>(f.succeeded) / f.duration_s;
      f.output_throughput_tok_s = static_cast<double>(f.output_tokens) / f.duration_s;
      if (!f.input_tokens_unknown)
        f.total_throughput_tok_s =
            static_cast<double>(f.input_tokens + f.output_tokens) / f.duration_s;
      if (!f.output_chars_unknown)
        f.output_chars_per_s = static_cast<double>(f.output_chars) / f.duration_s;
    }
    if (slo_.any()) {
      f.goodput = static_cast<double>(good_) / f.duration_s;
      if (f.measured > 0)
        f.goodput_fraction = static_cast<double>(good_) / static_cast<double>(f.measured);
    }
  }
  if (input_with_cache_report_ > 0)
    f.cached_token_fraction =
        static_cast<double>(cached_) / static_cast<double>(input_with_cache_report_);
  return f;
}

}  // namespace servemeter
