#include "report/sample_logs.h"

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "results/request_log.h"

namespace servemeter::samples {
namespace {

struct Profile {
  const char* name;
  const char* model;
  double ttft_ms;  // cold, 128 input tokens
  double prefill_per_token_ms;
  double itl_ms;      // one client
  double itl_growth;  // itl × (1 + growth × (clients − 1))
  bool serial;        // one request at a time: clients queue
  bool prefix_cache;
  double korean_cost;  // Korean tokens ÷ English tokens of the same text
};

constexpr Profile kProfiles[] = {
    {"sglang", "openai/gpt-oss-20b", 30, 0.02, 8, 0.01, false, true, 2.0},
    {"vllm", "openai/gpt-oss-20b", 32, 0.022, 8.5, 0.012, false, false, 2.0},
    {"ollama", "gpt-oss:20b", 55, 0.1, 11, 0, true, true, 2.4},
};

// A deterministic wobble in [−1, 1] (no library distribution: their output may change between
// standard libraries).
double wobble(std::uint64_t& state) {
  state = state * 6364136223846793005ULL + 1442695040888963407ULL;
  return static_cast<double>(state >> 11) / static_cast<double>(1ULL << 53) * 2 - 1;
}

constexpr std::int64_t kMs = 1'000'000;

struct CellSpec {
  std::string scenario, label;
  int concurrency = 1;
  int input_tokens = 128;
  int requests = 6;
  bool shared_prefix = false;  // prefix_cache: item 0.. after one shared system prompt
  int language = 0;            // 0: synthetic English, 1: Korean, 2: English pair
};

class Writer {
 public:
  Writer(const Profile& p, const std::filesystem::path& dir, const SampleOptions& o)
      : p_(p), o_(o), log_(dir / p.name / (std::string(p.name) + "_gpt-oss-20b_requests.jsonl")) {
    RunInfo run;
    run.run_id = std::string("sample-") + p.name;
    run.tool_version = "0.0.0-sample";
    run.command_line = std::string("make_golden_sample --framework ") + p.name;
    run.framework = p.name;
    run.model_preset = "gpt-oss-20b";
    run.model = p.model;
    run.base_url = "http://127.0.0.1:1";
    run.api = "openai-chat";
    run.chat_endpoint = "/v1/chat/completions";
    run.simulated = true;
    run.time_scale = 1;
    run.timestamp = "2026-12-01 10:00:00";
    run.started_at_utc = "2026-12-01T10:00:00Z";
    run.server_info =
        nlohmann::json::array({{{"source_url", "http://127.0.0.1:1/version"},
                                {"status", 200},
                                {"body", {{"version", std::string(p.name) + "-sample-1.0"}}}}});
    log_.write_run(run);
    state_ = static_cast<std::uint64_t>(std::string(p.name).size()) * 7919;
  }

  void cell(const CellSpec& spec) {
    CellInfo info;
    info.run_id = std::string("sample-") + p_.name;
    info.cell_key = spec.scenario + "|" + spec.label;
    info.scenario = spec.scenario;
    info.cell = spec.label;
    info.params = {{"input_tokens", spec.language == 0 && !spec.shared_prefix
                                        ? nlohmann::json(spec.input_tokens)
                                        : nlohmann::json(nullptr)},
                   {"output_tokens", o_.output_tokens},
                   {"concurrency", spec.concurrency},
                   {"num_requests", spec.requests},
                   {"warmup", 0},
                   {"seed", 1},
                   {"dataset", "sample"}};
    info.trials = o_.trials;
    if (spec.language != 0) {
      for (int i = 0; i < spec.requests; ++i)
        info.items.push_back({{"id", "pair-" + std::to_string(i)},
                              {"type", "short_question"},
                              {"lang", spec.language == 1 ? "ko" : "en"},
                              {"chars", spec.language == 1 ? 60 + 10 * i : 150 + 25 * i}});
    }
    log_.begin_cell(info);
    for (int trial = 0; trial < o_.trials; ++trial) {
      const std::int64_t start = clock_;
      std::int64_t last_end = start;
      for (int i = 0; i < spec.requests; ++i)
        last_end = std::max(last_end, request(spec, trial, i, start));
      clock_ = last_end + 100 * kMs;
      TrialEnd end;
      end.cell_key = info.cell_key;
      end.trial = trial;
      end.planned = end.sent = end.completed = spec.requests;
      end.window_start_ns = start;
      end.window_end_ns = last_end;
      log_.end_trial(end);
    }
    log_.end_cell({info.cell_key, true, "none"});
  }

 private:
  // One request; returns its end.
  std::int64_t request(const CellSpec& spec, int trial, int i, std::int64_t start) {
    RequestRecord r;
    r.id = ++id_;
    r.trial = trial;
    r.cell = spec.label;
    r.item = static_cast<std::uint32_t>(i);
    std::int64_t input = spec.input_tokens + (spec.shared_prefix ? 2048 : 0);
    if (spec.language == 1)
      input = std::llround((40 + 6 * i) * p_.korean_cost * (1 + 0.03 * (i % 3)));
    else if (spec.language == 2)
      input = 40 + 6 * i;
    double ttft = p_.ttft_ms + p_.prefill_per_token_ms * static_cast<double>(input - 128);
    if (spec.shared_prefix && p_.prefix_cache && (i > 0 || trial > 0))
      ttft = p_.ttft_ms * 0.2 + p_.prefill_per_token_ms * 128;
    ttft *= 1 + 0.05 * wobble(state_);
    const double clients = spec.concurrency;
    const double itl =
        p_.itl_ms * (1 + p_.itl_growth * (clients - 1)) * (1 + 0.03 * wobble(state_));
    const double service = ttft + itl * (o_.output_tokens - 1);
    // Closed loop: request i goes out in wave i / clients; a serial server queues each after the
    // one before.
    const double wave = std::floor(static_cast<double>(i) / clients);
    double send_ms = wave * service;
    double queue_ms = 0;
    if (p_.serial) {
      send_ms = wave * service * clients;
      queue_ms = (static_cast<double>(i) - wave * clients) * service;
    }
    r.send_ns = r.intended_send_ns = start + std::llround(send_ms * kMs);
    r.first_token_ns = r.send_ns + std::llround((queue_ms + ttft) * kMs);
    r.first_content_ns = r.first_token_ns;
    for (int t = 0; t < o_.output_tokens; ++t)
      r.token_event_ns.push_back(r.first_token_ns + std::llround(t * itl * kMs));
    r.end_ns = r.token_event_ns.back() + kMs;
    r.input_tokens = input;
    r.requested_input_tokens = spec.language == 0 ? spec.input_tokens : -1;
    r.output_tokens = o_.output_tokens;
    r.requested_output_tokens = o_.output_tokens;
    r.output_tokens_source = TokenCountSource::server;
    r.output_chars = spec.language == 1 ? 24 : 64;
    r.http_status = 200;
    r.finish_reason = "length";
    r.bytes_received = 2048;
    log_.on_record(r);
    return r.end_ns;
  }

  const Profile& p_;
  const SampleOptions& o_;
  RequestLogWriter log_;
  std::uint64_t state_ = 1;
  std::uint64_t id_ = 0;
  std::int64_t clock_ = 1'000'000'000;  // monotonic ns; 0 means "did not happen"
};

}  // namespace

void write_sample_logs(const std::filesystem::path& results_dir, const SampleOptions& o) {
  const std::string out = ",out=" + std::to_string(o.output_tokens);
  for (const Profile& p : kProfiles) {
    Writer w(p, results_dir, o);
    if (!o.all_cells) {
      w.cell({"single_request", "in=128" + out, 1, 128, o.requests});
      w.cell({"concurrent_load", "in=512" + out + ",conc=1", 1, 512, o.requests});
      w.cell({"concurrent_load", "in=512" + out + ",conc=16", 16, 512, o.requests * 4});
    } else {
      for (const int in : {128, 512, 1024})
        w.cell({"single_request", "in=" + std::to_string(in) + out, 1, in, o.requests});
      for (const int conc : {1, 8, 16, 32, 64})
        w.cell({"concurrent_load", "in=512" + out + ",conc=" + std::to_string(conc), conc, 512,
                o.requests});
      for (const int in : {2048, 4096})
        for (const int conc : {1, 8})
          w.cell({"long_context",
                  "in=" + std::to_string(in) + out + ",conc=" + std::to_string(conc), conc, in,
                  o.requests});
    }
    w.cell({"prefix_cache", "shared" + out, 1, 128, o.prefix_questions, true});
    w.cell({"prefix_cache_control", "unique" + out, 1, 2176, o.prefix_questions});
    for (const int conc : o.all_cells ? std::vector<int>{1, 8} : std::vector<int>{1}) {
      const std::string label = "conc=" + std::to_string(conc) + out;
      w.cell({"korean_ko", label, conc, 0, o.korean_items, false, 1});
      w.cell({"korean_en", label, conc, 0, o.korean_items, false, 2});
    }
  }
}

}  // namespace servemeter::samples
