#include "orchestrate/benchmark_run.h"

#include <unistd.h>

#include <ostream>
#include <set>

#include "analysis/log_digest.h"
#include "analysis/results_document.h"
#include "load/dataset_source.h"
#include "load/run_cell.h"
#include "results/atomic_file.h"
#include "results/request_log.h"

namespace servemeter {

struct BenchmarkRun::Impl {
  BenchmarkTarget target;
  RunInfo run;
  ResultPaths paths;
  BenchmarkSettings settings;
  RequestLogWriter log;
  std::uint64_t next_id = 1;

  Impl(BenchmarkTarget t, RunInfo r, ResultPaths p, BenchmarkSettings s)
      : target(std::move(t)),
        run(std::move(r)),
        paths(std::move(p)),
        settings(s),
        log(paths.requests_jsonl) {}

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

    const std::size_t total = static_cast<std::size_t>(plan.warmup + plan.num_requests);
    for (int trial = 0; trial < plan.trials; ++trial) {
      if (settings.stop.level != nullptr && *settings.stop.level != 0) {
        outcome.stop_reason = load::StopReason::interrupted;
        break;
      }
      load::DatasetSource source(*plan.dataset, total, trial, plan.shared);
      load::CellInput input;
      input.base_url = target.base_url;
      input.adapter = target.adapter;
      input.client = target.client;
      input.source = &source;
      input.sink = &log;
      input.warmup = plan.warmup;
      input.load = plan.load;
      input.load.seed = plan.load.seed + static_cast<unsigned>(trial);
      input.cell = plan.label;
      input.trial = trial;
      input.first_id = next_id;
      input.stop = settings.stop;
      next_id += total;
      const auto progress =
          settings.progress ? load::make_stderr_progress() : std::make_unique<load::NullProgress>();
      const load::CellResult result = load::run_cell(input, *progress);
      TrialEnd end;
      end.cell_key = key;
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
      log.end_trial(end);
      if (result.stop_reason != load::StopReason::none) {
        outcome.stop_reason = result.stop_reason;
        outcome.stop_detail = result.stop_detail;
        break;
      }
    }
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
