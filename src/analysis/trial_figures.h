#pragma once
// The figures of one trial of one cell, computed from its raw request records as they stream by
// (DESIGN.md's metric definitions). Every summary, in `run` and in `analyze`, comes from here.
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/duration_set.h"
#include "core/request_record.h"
#include "core/sample_set.h"
#include "core/statistics.h"

namespace servemeter {

// Service-level objectives for goodput (vLLM's definition: a request is good when it meets every
// SLO given, inclusive).
struct Slo {
  std::optional<double> ttft_ms, tpot_ms, e2el_ms;
  bool any() const { return ttft_ms || tpot_ms || e2el_ms; }
};

struct TrialFigures {
  std::size_t measured = 0;  // records with warmup == false, cancelled ones excluded
  std::size_t succeeded = 0;
  std::size_t cancelled = 0;  // cut by the user's interrupt: neither success nor failure
  std::map<std::string, std::size_t> errors_by_kind;
  std::map<int, std::size_t> http_statuses;  // of failed requests with a status
  std::optional<double> max_retry_after_s;
  int retries = 0;
  std::size_t invalid_utf8 = 0;  // successful requests flagged kFlagInvalidUtf8
  double duration_s = 0;         // first measured send → last measured end
  std::int64_t output_tokens = 0, input_tokens = 0, output_chars = 0;
  bool output_tokens_from_chunks = false;  // some output counts fell back to chunk counting
  bool input_tokens_unknown = false;       // some successful request had no server input count
  bool output_chars_unknown = false;
  // Equal work: how the servers' counts compare with what the workload asked for.
  std::optional<double> mean_output_tokens, target_output_tokens;
  std::size_t stopped_early = 0;       // successes with fewer output tokens than asked
  std::size_t input_below_target = 0;  // successes whose server-counted input fell short

  // Headline latencies count from the intended send time (open loop: no coordinated omission;
  // closed loop: the same as the send time). The service figures count from the actual send.
  std::optional<Distribution> ttft_ms, ttfc_ms, tpot_ms, itl_ms, e2el_ms;
  std::optional<Distribution> service_ttft_ms, service_e2el_ms, send_lag_ms;
  bool percentiles_exact = true;

  std::optional<double> output_throughput_tok_s;  // Σ output tokens / duration
  std::optional<double> total_throughput_tok_s;   // Σ (input + output) / duration
  std::optional<double> output_chars_per_s;       // Σ generated characters / duration
  std::optional<double> request_throughput;       // successes / duration
  std::optional<double> success_rate;             // successes / measured, in %
  std::optional<double> cached_token_fraction;    // Σ cached / Σ input, where servers reported it
  std::optional<double> achieved_request_rate;    // open loop: (sends − 1) / send span
  std::optional<double> goodput, goodput_fraction;  // with SLOs: good requests/s, good/measured
};

class TrialAccumulator {
 public:
  // `time_scale`: a simulator run X times faster than real time; every duration is reported in
  // model time (measured × X) and every rate per model-time second (measured ÷ X).
  TrialAccumulator(bool open_loop, double time_scale, Slo slo = {});
  // As if newly constructed, keeping the memory of its sample sets (reused trial after trial).
  void reset(bool open_loop, double time_scale, Slo slo = {});
  void add(const RequestRecord& record);
  TrialFigures finish() const;
  // The figures of each of a cell's trials (built alike) and, in `pooled` if given, of all their
  // requests as one sample: each inter-token gap is read once for all of them, and no record is
  // added twice.
  static std::vector<TrialFigures> finish_each(std::span<const TrialAccumulator* const> trials,
                                               TrialFigures* pooled = nullptr);
  // The inter-token gaps added so far, and room for `n` of them in all: a cell's trials are
  // alike, so one trial's count sizes the next trial and the pooled figures without regrowing.
  std::size_t itl_count() const noexcept { return itl_.count(); }
  void reserve_itl(std::size_t n) { itl_.reserve(n); }

 private:
  // Everything `other` was given except its inter-token gaps, as if its records had been
  // added here.
  void absorb(const TrialAccumulator& other);
  TrialFigures finish_with(std::optional<Distribution> itl_ms, bool itl_exact) const;
  // Every per-request sample set of `a`, in one order (the inter-token gaps apart).
  template <class Accumulator>
  static auto sample_sets(Accumulator& a) {
    return std::array{&a.ttft_,         &a.ttfc_,         &a.tpot_,    &a.e2el_,
                      &a.service_ttft_, &a.service_e2el_, &a.send_lag_};
  }

  bool open_loop_;
  double scale_;
  Slo slo_;
  TrialFigures f_;
  SampleSet ttft_, ttfc_, tpot_, e2el_, service_ttft_, service_e2el_, send_lag_;
  // Inter-token gaps are a few hundred per request: exact up to 262,144 per trial (a thousand
  // requests of 256 tokens), then within 0.1%, so a long trial neither holds nor sorts millions
  // of them. Pooled over a cell's trials they stay exact while every trial's are.
  DurationSet itl_;
  std::int64_t first_send_ = 0, last_send_ = 0, last_end_ = 0, sends_ = 0;
  std::int64_t cached_ = 0, input_with_cache_report_ = 0;
  std::int64_t good_ = 0;
  double output_tokens_sum_ = 0, target_sum_ = 0;
  std::size_t target_count_ = 0;
};

}  // namespace servemeter
