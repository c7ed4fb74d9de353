#include "orchestrate/benchmark_run.h"

#include <unistd.h>

#include <cmath>
#include <ostream>
#include <set>

#include "analysis/log_digest.h"
#include "analysis/results_document.h"
#include "http/http_get.h"
#include "load/trial_loop.h"
#include "results/atomic_file.h"
#include "results/request_log.h"
#include "telemetry/gpu_json.h"
#include "telemetry/gpu_probe.h"
#include "telemetry/gpu_sampler.h"
#include "telemetry/server_metrics.h"

namespace servemeter {

namespace {

// What a reader of the summary line must not miss about a cell's figures.
std::vector<std::string> cell_warnings(const nlohmann::json& entry) {
  std::vector<std::string> out;
  const auto number = [&](const char* key) {
    const auto it = entry.find(key);
    return it != entry.end() && it->is_number() ? it->get<double>() : 0.0;
  };
  if (entry.value("open_loop", false) && number("p99_send_lag_ms") > 10)
    out.push_back("send lag p99 is " + std::to_string(std::lround(number("p99_send_lag_ms"))) +
                  " ms: the server (or --max-concurrency) could not keep up with the request "
                  "rate; latencies count from the intended send times");
  if (number("stopped_early_requests_total") > 0)
    out.push_back(std::to_string(std::lround(number("stopped_early_requests_total"))) +
                  " requests got fewer output tokens than asked (mean " +
                  std::to_string(std::lround(number("mean_output_tokens"))) +
                  "): the server stopped early, so the frameworks did unequal work");
  if (number("input_below_target_requests_total") > 0)
    out.push_back(std::to_string(std::lround(number("input_below_target_requests_total"))) +
                  " requests had fewer input tokens than the target as the server counted them: "
                  "it may have truncated the prompt (Ollama's num_ctx?)");
  if (number("invalid_utf8_requests_total") > 0)
    out.push_back(std::to_string(std::lround(number("invalid_utf8_requests_total"))) +
                  " requests carried text that is not UTF-8 (kept, flagged in the raw log)");
  return out;
}

// A trial's progress, handed to a sink the caller owns (a benchmark watching a long run).
class ForwardedProgress final : public load::ProgressSink {
 public:
  explicit ForwardedProgress(load::ProgressSink& to) : to_(to) {}
  void update(const load::ProgressSnapshot& s) override { to_.update(s); }
  void finish(const load::ProgressSnapshot& s) override { to_.finish(s); }

 private:
  load::ProgressSink& to_;
};

}  // namespace

struct BenchmarkRun::Impl {
  BenchmarkTarget target;
  RunInfo run;
  ResultPaths paths;
  BenchmarkSettings settings;
  RequestLogWriter log;
  std::uint64_t next_id = 1;
  std::unique_ptr<telemetry::GpuProbe> gpu_probe;
  std::unique_ptr<telemetry::GpuSampler> gpu;

  Impl(BenchmarkTarget t, RunInfo r, ResultPaths p, BenchmarkSettings s)
      : target(std::move(t)),
        run(std::move(r)),
        paths(std::move(p)),
        settings(s),
        log(paths.requests_jsonl) {
    gpu_probe = settings.gpu_telemetry ? telemetry::make_gpu_probe()
                                       : telemetry::make_no_gpu_probe("turned off for this run");
    gpu = std::make_unique<telemetry::GpuSampler>(*gpu_probe);
    gpu->start();
  }

  telemetry::TelemetryHttpOptions telemetry_http() const {
    telemetry::TelemetryHttpOptions o;
    o.api_key = target.client.api_key;
    o.tls = target.client.tls;
    return o;
  }

  // Empties the server's prefix cache where it has an endpoint for that; says what happened.
  std::string flush_cache() const {
    if (target.flush_path.empty())
      return "not flushed: " +
             (target.framework.empty() ? std::string("this server") : target.framework) +
             " has no cache-flush endpoint (a cold cache needs a server restart)";
    OneShotRequest request;
    request.url = target.base_url + target.flush_path;
    request.api_key = target.client.api_key;
    request.tls = target.client.tls;
    request.json_body = "{}";
    const GetResult got = http_request(request);
    if (got.status >= 200 && got.status < 300)
      return "flushed: POST " + target.flush_path + " answered " + std::to_string(got.status);
    return "not flushed: POST " + target.flush_path + " " +
           (got.status != 0 ? "answered HTTP " + std::to_string(got.status)
                            : "failed: " + got.error) +
           " (vLLM needs VLLM_SERVER_DEV_MODE=1 for /reset_prefix_cache)";
  }

  std::set<std::string> complete_cells() const {
    std::set<std::string> keys;
    try {
      const FrameworkLog digest = digest_log(paths.requests_jsonl);
      for (const auto& cell : digest.cells)
        if (cell.complete) keys.insert(cell.info.cell_key);
    } catch (const ReadError&) {
      // Nothing readable: nothing to skip.
    }
    return keys;
  }

  // Rewrites the results file from the log; on failure writes a fallback copy and says why.
  nlohmann::json write_results(BenchmarkOutcome& outcome) {
    log.flush();
    const auto source = log.fallback_path().empty() ? paths.requests_jsonl : log.fallback_path();
    const FrameworkLog digest = digest_log(source);
    const nlohmann::json doc = results_document(digest);
    const std::string text = results_document_text(doc);
    try {
      write_file_atomically(paths.results_json, text);
      outcome.results_written = paths.results_json;
      outcome.results_failure.clear();
    } catch (const OutputError& e) {
      outcome.results_failure = e.what();
      outcome.results_written = write_fallback_file(paths.results_json, text);
    }
    return doc;
  }

  // Around every trial: the cache flush, GPU samples and /metrics, and the trial_end line.
  class TrialTelemetry final : public load::TrialHooks {
   public:
    TrialTelemetry(Impl& run, const CellPlan& plan, const std::string& key)
        : run_(run), plan_(plan), key_(key) {}

    void before_trial(int trial) override {
      measured_ = nlohmann::json::object();
      if (plan_.flush_cache) measured_["cache_flush"] = run_.flush_cache();
      if (run_.settings.server_telemetry)
        before_ = telemetry::scrape_server_metrics(run_.target.framework, run_.target.base_url,
                                                   run_.telemetry_http());
      telemetry::GpuWindowOptions window;
      window.label = key_ + "/" + std::to_string(trial);
      if (run_.gpu_probe->kind() != "none") window.timeseries = run_.paths.gpu_jsonl;
      run_.gpu->begin_window(window);
    }

    void after_trial(int trial, const load::CellResult& result) override {
      const telemetry::GpuWindowSummary gpu_window = run_.gpu->end_window();
      telemetry::put_runbook_gpu_fields(measured_, gpu_window);
      if (!gpu_window.null_reason.empty()) measured_["gpu_null_reason"] = gpu_window.null_reason;
      measured_["gpu_info"] = telemetry::gpu_info_json(gpu_window);
      measured_["gpu_window"] = telemetry::gpu_window_json(gpu_window);
      if (run_.settings.server_telemetry) {
        const auto after = telemetry::scrape_server_metrics(
            run_.target.framework, run_.target.base_url, run_.telemetry_http());
        measured_["server_metrics"] =
            telemetry::server_metrics_delta_json(telemetry::diff(before_, after));
      }
      TrialEnd end;
      end.cell_key = key_;
      end.trial = trial;
      end.planned = result.planned;
      end.sent = result.sent;
      end.completed = result.completed;
      end.failed = result.failed;
      end.cancelled = result.cancelled;
      end.stop_reason = std::string(load::to_string(result.stop_reason));
      end.stop_detail = result.stop_detail;
      end.window_start_ns = result.window_start_ns;
      end.window_end_ns = result.window_end_ns;
      end.target_rate = result.target_rate;
      end.achieved_rate = result.achieved_rate;
      end.telemetry = std::move(measured_);
      run_.log.end_trial(end);
    }

    std::unique_ptr<load::ProgressSink> progress() override {
      if (run_.settings.progress_sink != nullptr)
        return std::make_unique<ForwardedProgress>(*run_.settings.progress_sink);
      if (run_.settings.progress) return load::make_stderr_progress();
      return std::make_unique<load::NullProgress>();
    }

   private:
    Impl& run_;
    const CellPlan& plan_;
    const std::string& key_;
    nlohmann::json measured_;
    telemetry::ServerMetricsSnapshot before_;
  };

  CellOutcome run_cell_plan(const CellPlan& plan, const std::string& key, std::ostream& out) {
    CellOutcome outcome;
    outcome.scenario = plan.scenario;
    outcome.label = plan.label;
    outcome.key = key;
    CellInfo info;
    info.run_id = run.run_id;
    info.cell_key = key;
    info.scenario = plan.scenario;
    info.cell = plan.label;
    info.params = plan.params;
    info.open_loop = std::holds_alternative<load::OpenLoop>(plan.load.mode);
    info.trials = plan.trials;
    info.time_scale = run.time_scale;
    info.items = nlohmann::json::parse(plan.dataset->items_json(), nullptr, false);
    if (info.items.is_discarded()) info.items = nlohmann::json::array();
    log.begin_cell(info);

    TrialTelemetry hooks(*this, plan, key);
    load::CellTrials trials;
    trials.dataset = plan.dataset.get();
    trials.shared = plan.shared;
    trials.warmup = plan.warmup;
    trials.num_requests = plan.num_requests;
    trials.trials = plan.trials;
    trials.load = plan.load;
    trials.label = plan.label;
    trials.target.base_url = target.base_url;
    trials.target.adapter = target.adapter;
    trials.target.client = target.client;
    trials.target.sink = &log;
    trials.target.stop = settings.stop;
    const load::TrialsOutcome ran = load::run_trials(trials, hooks, next_id);
    outcome.stop_reason = ran.stop_reason;
    outcome.stop_detail = ran.stop_detail;
    CellEnd end;
    end.cell_key = key;
    end.complete = outcome.stop_reason == load::StopReason::none;
    end.stop_reason = std::string(load::to_string(outcome.stop_reason));
    log.end_cell(end);
    (void)out;
    return outcome;
  }
};

BenchmarkRun::BenchmarkRun(BenchmarkTarget target, RunInfo run, ResultPaths paths,
                           BenchmarkSettings settings)
    : impl_(std::make_unique<Impl>(std::move(target), std::move(run), std::move(paths), settings)) {
  impl_->log.write_run(impl_->run);
}

BenchmarkRun::~BenchmarkRun() = default;

BenchmarkOutcome BenchmarkRun::run(const std::vector<CellPlan>& cells, std::ostream& out) {
  Impl& s = *impl_;
  BenchmarkOutcome outcome;
  const std::set<std::string> done =
      s.settings.resume ? s.complete_cells() : std::set<std::string>{};
  for (const CellPlan& plan : cells) {
    const std::string key = cell_key(plan, s.run.model, s.run.api);
    if (done.contains(key)) {
      CellOutcome skipped;
      skipped.scenario = plan.scenario;
      skipped.label = plan.label;
      skipped.key = key;
      skipped.skipped = true;
      out << "[" << plan.scenario << "] " << plan.label
          << " skipped: already measured with the same parameters (--resume)\n";
      outcome.cells.push_back(std::move(skipped));
      continue;
    }
    if (s.settings.stop.level != nullptr && *s.settings.stop.level != 0) {
      outcome.stopped = true;
      outcome.stop_reason = load::StopReason::interrupted;
      break;
    }
    CellOutcome cell = s.run_cell_plan(plan, key, out);
    const nlohmann::json doc = s.write_results(outcome);
    for (const auto& entry : doc["results"])
      if (entry.value("cell_key", std::string()) == key) cell.entry = entry;
    if (!cell.entry.is_null()) {
      cell.any_success = cell.entry.value("successful_requests_total", 0.0) > 0;
      out << summary_line(cell.entry) << (s.run.simulated ? " (simulated)" : "") << "\n";
      for (const auto& warning : cell_warnings(cell.entry)) out << "  warning: " << warning << "\n";
      out.flush();
    }
    const bool stop = cell.stop_reason != load::StopReason::none;
    if (stop) {
      outcome.stopped = true;
      outcome.stop_reason = cell.stop_reason;
      outcome.stop_detail = cell.stop_detail;
    }
    outcome.cells.push_back(std::move(cell));
    if (stop) break;
  }
  if (outcome.results_written.empty()) s.write_results(outcome);
  outcome.log_fallback = s.log.fallback_path();
  return outcome;
}

}  // namespace servemeter
