#include "telemetry/server_metrics.h"

#include <cmath>
#include <vector>

#include "core/clock.h"
#include "http/http_get.h"
#include "telemetry/gpu_json.h"
#include "telemetry/prometheus_text.h"

namespace servemeter::telemetry {
namespace {

using nlohmann::json;
using Field = std::optional<double> WellKnownMetrics::*;

// One way to read a figure: these series' sums added together (all must be present).
using Recipe = std::vector<std::string_view>;

struct Source {
  const char* field;
  Field member;
  bool counter;
  std::vector<Recipe> recipes;  // the first that the server has wins
  bool mean_over_series = false;
};

// Names as the servers write them (shared/fixtures/wire; older spellings after the current).
std::vector<Source> sources_for(std::string_view framework) {
  using W = WellKnownMetrics;
  if (framework == "vllm") {
    return {
        {"running_requests", &W::running_requests, false, {{"vllm:num_requests_running"}}},
        {"waiting_requests", &W::waiting_requests, false, {{"vllm:num_requests_waiting"}}},
        {"kv_cache_usage",
         &W::kv_cache_usage,
         false,
         {{"vllm:kv_cache_usage_perc"}, {"vllm:gpu_cache_usage_perc"}},
         true},
        {"prefix_cache_hits",
         &W::prefix_cache_hits,
         true,
         {{"vllm:prefix_cache_hits_total"},
          {"vllm:prefix_cache_hits"},
          {"vllm:gpu_prefix_cache_hits_total"}}},
        {"prefix_cache_queries",
         &W::prefix_cache_queries,
         true,
         {{"vllm:prefix_cache_queries_total"},
          {"vllm:prefix_cache_queries"},
          {"vllm:gpu_prefix_cache_queries_total"}}},
        {"preemptions",
         &W::preemptions,
         true,
         {{"vllm:num_preemptions_total"}, {"vllm:num_preemptions"}}},
        {"prompt_tokens", &W::prompt_tokens, true, {{"vllm:prompt_tokens_total"}}},
        {"generation_tokens", &W::generation_tokens, true, {{"vllm:generation_tokens_total"}}},
    };
  }
  if (framework == "sglang") {
    return {
        {"running_requests", &W::running_requests, false, {{"sglang:num_running_reqs"}}},
        {"waiting_requests", &W::waiting_requests, false, {{"sglang:num_queue_reqs"}}},
        {"kv_cache_usage", &W::kv_cache_usage, false, {{"sglang:token_usage"}}, true},
        {"cache_hit_rate", &W::cache_hit_rate, false, {{"sglang:cache_hit_rate"}}, true},
        // SGLang counts every prompt token in prompt_tokens_total and the reused ones in
        // cached_tokens_total, so those two are its hits and queries.
        {"prefix_cache_hits", &W::prefix_cache_hits, true, {{"sglang:cached_tokens_total"}}},
        {"prefix_cache_queries", &W::prefix_cache_queries, true, {{"sglang:prompt_tokens_total"}}},
        {"preemptions", &W::preemptions, true, {{"sglang:num_retracted_requests_total"}}},
        {"prompt_tokens", &W::prompt_tokens, true, {{"sglang:prompt_tokens_total"}}},
        {"generation_tokens", &W::generation_tokens, true, {{"sglang:generation_tokens_total"}}},
    };
  }
  if (framework == "llamacpp") {
    // llama-server's prompt_tokens_total leaves out the tokens reused from the slot's cache.
    const Recipe all_prompt = {"llamacpp:prompt_tokens_total",
                               "llamacpp:prompt_tokens_cached_total"};
    return {
        {"running_requests", &W::running_requests, false, {{"llamacpp:requests_processing"}}},
        {"waiting_requests", &W::waiting_requests, false, {{"llamacpp:requests_deferred"}}},
        {"kv_cache_usage", &W::kv_cache_usage, false, {{"llamacpp:kv_cache_usage_ratio"}}, true},
        {"prefix_cache_hits",
         &W::prefix_cache_hits,
         true,
         {{"llamacpp:prompt_tokens_cached_total"}}},
        {"prefix_cache_queries", &W::prefix_cache_queries, true, {all_prompt}},
        {"prompt_tokens", &W::prompt_tokens, true, {all_prompt}},
        {"generation_tokens", &W::generation_tokens, true, {{"llamacpp:tokens_predicted_total"}}},
    };
  }
  return {};
}

constexpr const char* kAllFields[] = {
    "running_requests", "waiting_requests",  "kv_cache_usage",
    "cache_hit_rate",   "prefix_cache_hits", "prefix_cache_queries",
    "preemptions",      "prompt_tokens",     "generation_tokens"};

bool ends_with(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

Field member_of(std::string_view field) {
  using W = WellKnownMetrics;
  if (field == "running_requests") return &W::running_requests;
  if (field == "waiting_requests") return &W::waiting_requests;
  if (field == "kv_cache_usage") return &W::kv_cache_usage;
  if (field == "cache_hit_rate") return &W::cache_hit_rate;
  if (field == "prefix_cache_hits") return &W::prefix_cache_hits;
  if (field == "prefix_cache_queries") return &W::prefix_cache_queries;
  if (field == "preemptions") return &W::preemptions;
  if (field == "prompt_tokens") return &W::prompt_tokens;
  return &W::generation_tokens;
}

bool is_counter_field(std::string_view field) {
  return field == "prefix_cache_hits" || field == "prefix_cache_queries" ||
         field == "preemptions" || field == "prompt_tokens" || field == "generation_tokens";
}

bool counter_like(const std::string& name, const std::string& type) {
  if (type == "counter") return true;
  if (type == "histogram" || type == "summary")
    return ends_with(name, "_sum") || ends_with(name, "_count");
  return type == "untyped" && ends_with(name, "_total");
}

std::string metrics_hint(std::string_view framework) {
  if (framework == "sglang")
    return " (SGLang serves /metrics only when started with --enable-metrics)";
  if (framework == "llamacpp")
    return " (llama-server serves /metrics only when started with --metrics)";
  if (framework == "ollama") return " (Ollama has no /metrics endpoint)";
  return "";
}

}  // namespace

ServerMetricsSnapshot snapshot_from_text(std::string_view framework, std::string_view text,
                                         std::int64_t t_ns) {
  ServerMetricsSnapshot snap;
  snap.framework = std::string(framework);
  snap.t_ns = t_ns;
  const PrometheusText parsed = parse_prometheus_text(text);
  snap.skipped_lines = parsed.skipped_lines;
  snap.truncated = parsed.truncated;
  std::map<std::string, std::size_t> series_count;
  for (const auto& s : parsed.series) {
    if (ends_with(s.name, "_bucket") || std::isnan(s.value)) continue;
    snap.values[s.name] += s.value;
    ++series_count[s.name];
    if (!snap.types.count(s.name))
      snap.types[s.name] = std::string(prometheus_type(parsed, s.name));
  }
  const std::vector<Source> sources = sources_for(framework);
  for (const char* field : kAllFields) {
    const Source* source = nullptr;
    for (const auto& s : sources) {
      if (std::string_view(s.field) == field) source = &s;
    }
    if (source == nullptr) {
      snap.missing[field] = sources.empty() ? "servemeter knows no metric names for framework '" +
                                                  snap.framework + "'; see the raw values"
                                            : snap.framework + " reports no such metric";
      continue;
    }
    bool found = false;
    for (const Recipe& recipe : source->recipes) {
      double total = 0;
      std::size_t count = 0;
      bool all = true;
      for (std::string_view name : recipe) {
        auto it = snap.values.find(std::string(name));
        if (it == snap.values.end()) {
          all = false;
          break;
        }
        total += it->second;
        count += series_count[it->first];
      }
      if (!all) continue;
      if (source->mean_over_series && count > 0) total /= static_cast<double>(count);
      snap.known.*(source->member) = total;
      found = true;
      break;
    }
    if (!found) {
      std::string names;
      for (std::string_view n : source->recipes.front())
        names += (names.empty() ? "" : " + ") + std::string(n);
      snap.missing[field] = "the server's /metrics has no " + names;
    }
  }
  return snap;
}

ServerMetricsSnapshot scrape_server_metrics(std::string_view framework, const std::string& base_url,
                                            const TelemetryHttpOptions& options) {
  OneShotRequest request;
  request.url = base_url + "/metrics";
  request.api_key = options.api_key;
  request.tls = options.tls;
  request.timeout_ms = options.timeout_ms;
  request.max_body_bytes = options.max_body_bytes;
  const GetResult got = http_request(request);
  const std::int64_t now = monotonic_ns();
  ServerMetricsSnapshot snap;
  if (got.status == 200) {
    snap = snapshot_from_text(framework, got.body, now);
    snap.truncated = snap.truncated || got.body_truncated;
  } else {
    snap.framework = std::string(framework);
    snap.t_ns = now;
    snap.error = got.status == 0 ? "cannot read " + request.url + ": " + got.error
                                 : "HTTP " + std::to_string(got.status) + " from " + request.url +
                                       metrics_hint(framework);
  }
  snap.source_url = request.url;
  return snap;
}

ServerMetricsDelta diff(const ServerMetricsSnapshot& before, const ServerMetricsSnapshot& after) {
  ServerMetricsDelta d;
  d.framework = after.framework;
  d.seconds = static_cast<double>(after.t_ns - before.t_ns) / 1e9;
  if (!before.error.empty() || !after.error.empty()) {
    d.null_reason =
        "server metrics not collected: " + (before.error.empty() ? after.error : before.error);
    return d;
  }
  for (const char* field : kAllFields) {
    const auto member = member_of(field);
    const std::optional<double>& b = before.known.*member;
    const std::optional<double>& a = after.known.*member;
    if (!a) {
      auto it = after.missing.find(field);
      d.missing[field] = it != after.missing.end() ? it->second : "not reported";
      continue;
    }
    if (!is_counter_field(field)) {
      d.during.*member = *a;
      continue;
    }
    if (!b) {
      d.missing[field] = "the server did not report it before the window";
    } else if (*a < *b) {
      d.missing[field] = "the counter went down during the window (did the server restart?)";
    } else {
      d.during.*member = *a - *b;
    }
  }
  if (d.during.prefix_cache_hits && d.during.prefix_cache_queries) {
    if (*d.during.prefix_cache_queries > 0)
      d.prefix_cache_hit_rate = *d.during.prefix_cache_hits / *d.during.prefix_cache_queries;
    else
      d.missing["prefix_cache_hit_rate"] = "no prompt token was looked up in the cache";
  } else {
    d.missing["prefix_cache_hit_rate"] = d.missing.count("prefix_cache_queries")
                                             ? d.missing["prefix_cache_queries"]
                                             : d.missing["prefix_cache_hits"];
  }
  for (const auto& [name, value] : after.values) {
    auto type = after.types.find(name);
    if (type == after.types.end() || !counter_like(name, type->second)) continue;
    auto was = before.values.find(name);
    if (was == before.values.end()) continue;
    if (value < was->second)
      d.counters_reset.push_back(name);
    else
      d.counter_deltas[name] = value - was->second;
  }
  return d;
}

json server_metrics_delta_json(const ServerMetricsDelta& d) {
  json out = json::object();
  out["framework"] = d.framework;
  out["seconds"] = d.seconds;
  if (!d.null_reason.empty()) out["null_reason"] = d.null_reason;
  auto reason = [&](const std::string& field) {
    if (!d.null_reason.empty()) return d.null_reason;
    auto it = d.missing.find(field);
    return it != d.missing.end() ? it->second : std::string("not reported");
  };
  for (const char* field : kAllFields)
    put_value_or_null(out, field, d.during.*member_of(field), reason(field));
  put_value_or_null(out, "prefix_cache_hit_rate", d.prefix_cache_hit_rate,
                    reason("prefix_cache_hit_rate"));
  out["counter_deltas"] = d.counter_deltas;
  out["counters_reset"] = d.counters_reset;
  return out;
}

}  // namespace servemeter::telemetry
