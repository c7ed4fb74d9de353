#include "analysis/figures_json.h"

namespace servemeter {
namespace {

using nlohmann::json;

const std::string kNoSuccess = "no successful measured request";

// Distribution fields in the runbook's naming: avg_/p50_/…_<name>_ms.
void put_distribution(json& out, json& null_reasons, const std::string& name,
                      const std::optional<Distribution>& d, const std::string& why_missing) {
  static const char* const keys[] = {"avg", "p50", "p90", "p95", "p99", "min", "max", "std"};
  for (const char* key : keys) {
    const std::string field = std::string(key) + "_" + name + "_ms";
    if (!d) {
      out[field] = nullptr;
      null_reasons[field] = why_missing;
      continue;
    }
    const std::string_view k = key;
    out[field] = k == "avg"   ? d->mean
                 : k == "p50" ? d->p50
                 : k == "p90" ? d->p90
                 : k == "p95" ? d->p95
                 : k == "p99" ? d->p99
                 : k == "min" ? d->min
                 : k == "max" ? d->max
                              : d->std;
  }
}

void put_optional(json& out, json& null_reasons, const std::string& field,
                  const std::optional<double>& value, const std::string& why_missing) {
  if (value) {
    out[field] = *value;
  } else {
    out[field] = nullptr;
    null_reasons[field] = why_missing;
  }
}

void put_distributions(json& out, json& null_reasons, const TrialFigures& f, bool open_loop) {
  put_distribution(out, null_reasons, "ttft", f.ttft_ms, "no successful request produced a token");
  put_distribution(out, null_reasons, "ttfc", f.ttfc_ms,
                   "no successful request produced answer content (reasoning only, or none)");
  put_distribution(out, null_reasons, "tpot", f.tpot_ms,
                   "no successful request produced more than one output token");
  put_distribution(out, null_reasons, "itl", f.itl_ms,
                   "no successful request produced two token-bearing events");
  put_distribution(out, null_reasons, "latency", f.e2el_ms, kNoSuccess);
  if (open_loop) {
    put_distribution(out, null_reasons, "service_ttft", f.service_ttft_ms, kNoSuccess);
    put_distribution(out, null_reasons, "service_latency", f.service_e2el_ms, kNoSuccess);
    put_distribution(out, null_reasons, "send_lag", f.send_lag_ms, kNoSuccess);
  }
  out["percentiles_exact"] = f.percentiles_exact;
}

}  // namespace

json distributions_json(const TrialFigures& f, bool open_loop) {
  json out = json::object();
  json null_reasons = json::object();
  put_distributions(out, null_reasons, f, open_loop);
  out["null_reasons"] = null_reasons;
  return out;
}

json figures_json(const TrialFigures& f, bool open_loop) {
  json out = json::object();
  json null_reasons = json::object();
  out["measured_requests"] = f.measured;
  out["successful_requests"] = f.succeeded;
  out["cancelled_requests"] = f.cancelled;
  put_distributions(out, null_reasons, f, open_loop);
  if (open_loop)
    put_optional(out, null_reasons, "achieved_request_rate", f.achieved_request_rate,
                 "fewer than two measured requests were sent");
  // Runbook meaning kept: total_token_throughput is *generated* tokens per second.
  put_optional(out, null_reasons, "total_token_throughput", f.output_throughput_tok_s, kNoSuccess);
  put_optional(out, null_reasons, "output_throughput_tok_s", f.output_throughput_tok_s, kNoSuccess);
  put_optional(
      out, null_reasons, "total_throughput_tok_s", f.total_throughput_tok_s,
      f.input_tokens_unknown ? "the server did not report input token counts" : kNoSuccess);
  put_optional(out, null_reasons, "output_chars_per_s", f.output_chars_per_s,
               f.output_chars_unknown ? "generated characters were not counted" : kNoSuccess);
  put_optional(out, null_reasons, "request_throughput", f.request_throughput, kNoSuccess);
  put_optional(out, null_reasons, "success_rate", f.success_rate, "no measured request");
  put_optional(out, null_reasons, "cached_token_fraction", f.cached_token_fraction,
               "the server reported no cached-token counts");
  if (f.goodput || f.goodput_fraction) {
    put_optional(out, null_reasons, "goodput", f.goodput, kNoSuccess);
    put_optional(out, null_reasons, "goodput_fraction", f.goodput_fraction, kNoSuccess);
  }
  put_optional(out, null_reasons, "mean_output_tokens", f.mean_output_tokens, kNoSuccess);
  out["stopped_early_requests"] = f.stopped_early;
  out["input_below_target_requests"] = f.input_below_target;
  if (f.duration_s > 0) {
    out["total_time_sec"] = f.duration_s;
  } else {
    out["total_time_sec"] = nullptr;
    null_reasons["total_time_sec"] = "no measured request was sent and finished";
  }
  out["total_output_tokens"] = f.output_tokens;
  out["total_input_tokens"] = f.input_tokens_unknown ? json(nullptr) : json(f.input_tokens);
  out["total_output_chars"] = f.output_chars_unknown ? json(nullptr) : json(f.output_chars);
  out["output_token_count_source"] =
      f.output_tokens_from_chunks ? "chunk_count (approximate)" : "server";
  out["errors"] = f.errors_by_kind;
  json statuses = json::object();
  for (const auto& [status, n] : f.http_statuses) statuses[std::to_string(status)] = n;
  out["error_http_statuses"] = statuses;
  out["max_retry_after_s"] = f.max_retry_after_s ? json(*f.max_retry_after_s) : json(nullptr);
  out["retries"] = f.retries;
  out["invalid_utf8_requests"] = f.invalid_utf8;
  out["null_reasons"] = null_reasons;
  return out;
}

}  // namespace servemeter
