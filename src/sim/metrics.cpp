// /metrics in each server's names (vllm:*, sglang:*, llamacpp:*), from the simulator's counters
// and the scheduler's state.
#include <cstdio>

#include "sim/aux_endpoints.h"

namespace servemeter::sim {
namespace {

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  std::string s = buf;
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";  // Python prints floats
  return s;
}

struct Gauges {
  double running = 0;
  double waiting = 0;
  double kv_usage = 0;
  double kv_tokens = 0;
};

Gauges gauges(ServerState& s) {
  Gauges g;
  if (s.engine) {
    const Scheduler& sc = s.engine->scheduler();
    g.running = static_cast<double>(sc.running());
    g.waiting = static_cast<double>(sc.waiting());
    g.kv_usage = sc.kv_usage();
    g.kv_tokens = static_cast<double>(sc.kv_used());
  } else {
    g.running = s.active_streams;
  }
  return g;
}

void metric(std::string& out, const std::string& name, const char* type, const char* help,
            const std::string& labels, double value) {
  out += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  out += name + labels + " " + num(value) + "\n";
}

void ttft_histogram(std::string& out, ServerState& s, const std::string& name,
                    const std::string& labels_prefix, const std::string& labels_suffix) {
  out += "# HELP " + name + " Histogram of time to first token in seconds.\n# TYPE " + name +
         " histogram\n";
  const Counters& c = s.counters;
  std::size_t i = 0;
  for (double le : kTtftBuckets) {
    out += name + "_bucket{" + labels_prefix + "le=\"" + num(le) + "\"" + labels_suffix + "} " +
           num(static_cast<double>(c.ttft_buckets[i++])) + "\n";
  }
  out += name + "_bucket{" + labels_prefix + "le=\"+Inf\"" + labels_suffix + "} " +
         num(static_cast<double>(c.ttft_count)) + "\n";
  std::string plain = labels_prefix + labels_suffix;
  if (!plain.empty() && plain.front() == ',') plain.erase(0, 1);
  if (!plain.empty() && plain.back() == ',') plain.pop_back();
  out += name + "_count{" + plain + "} " + num(static_cast<double>(c.ttft_count)) + "\n";
  out += name + "_sum{" + plain + "} " + num(c.ttft_sum_s) + "\n";
}

}  // namespace

std::string metrics_text(ServerState& s) {
  const Gauges g = gauges(s);
  const Counters& c = s.counters;
  std::string out;
  const MetricsStyle style = s.traits.metrics;
  if (style == MetricsStyle::vllm) {
    const std::string l = "{engine=\"0\",model_name=\"" + s.model + "\"}";
    metric(out, "vllm:num_requests_running", "gauge",
           "Number of requests in model execution batches.", l, g.running);
    metric(out, "vllm:num_requests_waiting", "gauge", "Number of requests waiting to be processed.",
           l, g.waiting);
    metric(out, "vllm:kv_cache_usage_perc", "gauge", "KV-cache usage. 1 means 100 percent usage.",
           l, g.kv_usage);
    metric(out, "vllm:prefix_cache_queries_total", "counter",
           "Prefix cache queries, in terms of number of queried tokens.", l,
           static_cast<double>(c.prompt_tokens));
    metric(out, "vllm:prefix_cache_hits_total", "counter",
           "Prefix cache hits, in terms of number of cached tokens.", l,
           static_cast<double>(c.cached_tokens));
    metric(out, "vllm:prompt_tokens_total", "counter", "Number of prefill tokens processed.", l,
           static_cast<double>(c.prompt_tokens));
    metric(out, "vllm:generation_tokens_total", "counter", "Number of generation tokens processed.",
           l, static_cast<double>(c.generation_tokens));
    out +=
        "# HELP vllm:request_success_total Count of successfully processed requests.\n"
        "# TYPE vllm:request_success_total counter\n";
    const char* reasons[] = {"stop", "length", "abort"};
    const std::uint64_t counts[] = {c.finished_stop, c.finished_length, c.aborted};
    for (int i = 0; i < 3; ++i) {
      out += std::string("vllm:request_success_total{engine=\"0\",finished_reason=\"") +
             reasons[i] + "\",model_name=\"" + s.model + "\"} " +
             num(static_cast<double>(counts[i])) + "\n";
    }
    ttft_histogram(out, s, "vllm:time_to_first_token_seconds", "engine=\"0\",",
                   ",model_name=\"" + s.model + "\"");
  } else if (style == MetricsStyle::sglang) {
    const std::string l =
        "{engine_type=\"unified\",model_name=\"" + s.model + "\",pp_rank=\"0\",tp_rank=\"0\"}";
    const std::string m = "{model_name=\"" + s.model + "\"}";
    const double hit = c.prompt_tokens > 0 ? static_cast<double>(c.cached_tokens) /
                                                 static_cast<double>(c.prompt_tokens)
                                           : 0.0;
    metric(out, "sglang:num_running_reqs", "gauge", "The number of running requests.", l,
           g.running);
    metric(out, "sglang:num_queue_reqs", "gauge", "The number of requests in the waiting queue.", l,
           g.waiting);
    metric(out, "sglang:num_used_tokens", "gauge", "The number of used tokens.", l, g.kv_tokens);
    metric(out, "sglang:token_usage", "gauge", "The token usage.", l, g.kv_usage);
    metric(out, "sglang:cache_hit_rate", "gauge", "The prefix cache hit rate.", l, hit);
    metric(out, "sglang:gen_throughput", "gauge", "The generation throughput (token/s).", l, 0.0);
    metric(out, "sglang:prompt_tokens_total", "counter", "Number of prefill tokens processed.", m,
           static_cast<double>(c.prompt_tokens));
    metric(out, "sglang:generation_tokens_total", "counter",
           "Number of generation tokens processed.", m, static_cast<double>(c.generation_tokens));
    metric(out, "sglang:cached_tokens_total", "counter", "Number of cached prompt tokens.", m,
           static_cast<double>(c.cached_tokens));
    ttft_histogram(out, s, "sglang:time_to_first_token_seconds", "",
                   ",model_name=\"" + s.model + "\"");
  } else if (style == MetricsStyle::llamacpp) {
    auto raw = [&](const char* name, const char* type, const char* help, double v) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.6g", v);
      out += std::string("# HELP llamacpp:") + name + " " + help + "\n# TYPE llamacpp:" + name +
             " " + type + "\nllamacpp:" + name + " " + buf + "\n";
    };
    raw("prompt_tokens_total", "counter",
        "Number of prompt tokens processed, excluding cached tokens",
        static_cast<double>(c.prompt_tokens - c.cached_tokens));
    raw("prompt_tokens_cached_total", "counter", "Number of prompt tokens reused from the cache",
        static_cast<double>(c.cached_tokens));
    raw("prompt_seconds_total", "counter", "Total time spent processing prompts", c.prompt_seconds);
    raw("tokens_predicted_total", "counter", "Number of generation tokens processed",
        static_cast<double>(c.generation_tokens));
    raw("tokens_predicted_seconds_total", "counter", "Total time spent generating tokens",
        c.predicted_seconds);
    raw("requests_processing", "gauge", "Number of requests processing", g.running);
    raw("requests_deferred", "gauge", "Number of requests deferred", g.waiting);
  } else {
    return {};
  }
  return out;
}

}  // namespace servemeter::sim
