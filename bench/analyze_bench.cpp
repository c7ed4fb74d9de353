// How fast `servemeter analyze` works, on one core (the process is pinned to the first CPU it
// may use):
//   read     a raw log of --lines request lines (default 1,000,000) with --tokens token events
//            each (256), in cells of 5 trials × 200 requests, written through RequestLogWriter
//            into a temporary folder: lines per
//            second of digest_log (everything analyze derives from the log) and of
//            read_request_log alone (reading and parsing), best of --repeat runs, by wall and by
//            CPU time (the machine may be shared);
//   summary  a three-framework `--scenario all --trials 5` set (18 cells × 5 trials × 100
//            requests of 256 tokens per framework): the time from reading the folder to every
//            summary file written (json, md, html, csv, charts), best of --repeat runs.
//   --short-gaps P: P% of the token gaps are 0.1–2 ms (tokens that came in one read), so the
//            gaps' varints are of mixed lengths; 0 (the default): every gap 15–25 ms.
// Usage: analyze_bench [--only read|summary] [--lines N] [--tokens T] [--short-gaps P]
//                      [--repeat R] [--keep DIR]
// (--keep DIR keeps the generated files there, and a later run with the same DIR reads them
// again instead of writing them.)
#include <sched.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <string>

#include "analysis/comparison.h"
#include "analysis/log_digest.h"
#include "report/reporter.h"
#include "report/sample_logs.h"
#include "results/request_log.h"
#include "results/request_log_reader.h"

namespace {

namespace fs = std::filesystem;
using namespace servemeter;

double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

double wall_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct Timing {
  double wall = 1e300, cpu = 1e300;
};

template <class Work>
Timing best_of(int repeat, Work&& work) {
  Timing best;
  for (int i = 0; i < repeat; ++i) {
    const double w0 = wall_seconds(), c0 = cpu_seconds();
    work();
    best.wall = std::min(best.wall, wall_seconds() - w0);
    best.cpu = std::min(best.cpu, cpu_seconds() - c0);
  }
  return best;
}

// A realistic raw log: cells of 5 trials × 200 requests at concurrency 64 (a heavy
// concurrent_load cell), token gaps of 15–25 ms (so varints take their usual 4 bytes), a timeout
// now and then.
constexpr long kTrialRequests = 200;
constexpr int kTrials = 5;

fs::path write_log(const fs::path& dir, long lines, int tokens, double short_gaps) {
  const fs::path path = dir / "vllm" / "vllm_gpt-oss-20b_requests.jsonl";
  fs::create_directories(path.parent_path());
  RequestLogWriter log(path);
  RunInfo run;
  run.run_id = "bench";
  run.framework = "vllm";
  run.model_preset = "gpt-oss-20b";
  run.model = "openai/gpt-oss-20b";
  log.write_run(run);
  std::uint64_t state = 42;
  auto next = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state >> 11) / static_cast<double>(1ULL << 53);
  };
  RequestRecord r;
  std::int64_t clock = 1'000'000'000;
  std::string key;
  for (long i = 0; i < lines; ++i) {
    const long in_cell = i % (kTrialRequests * kTrials);
    if (in_cell == 0) {
      CellInfo cell;
      cell.cell_key = key = "cell-" + std::to_string(i);
      cell.scenario = "concurrent_load";
      cell.cell = "in=512,out=" + std::to_string(tokens) + ",conc=64,part=" + std::to_string(i);
      cell.params = {{"concurrency", 64}, {"input_tokens", 512}, {"output_tokens", tokens}};
      cell.trials = kTrials;
      log.begin_cell(cell);
      r.cell = cell.cell;
    }
    r.id = static_cast<std::uint64_t>(i + 1);
    r.trial = static_cast<int>(in_cell / kTrialRequests);
    r.item = static_cast<std::uint32_t>(i % 50);
    r.send_ns = r.intended_send_ns = clock;
    clock += 300'000;
    r.token_event_ns.clear();
    std::int64_t t = r.send_ns + static_cast<std::int64_t>(40e6 + 20e6 * next());
    r.first_token_ns = r.first_content_ns = t;
    for (int k = 0; k < tokens; ++k) {
      r.token_event_ns.push_back(t);
      t += static_cast<std::int64_t>(short_gaps > 0 && next() < short_gaps ? 1e5 + 1.9e6 * next()
                                                                           : 15e6 + 10e6 * next());
    }
    r.end_ns = r.token_event_ns.back() + 1'000'000;
    r.input_tokens = 512;
    r.output_tokens = tokens;
    r.requested_input_tokens = 512;
    r.requested_output_tokens = tokens;
    r.output_tokens_source = TokenCountSource::server;
    r.output_chars = tokens * 4;
    r.http_status = 200;
    r.error = next() < 0.001 ? ErrorKind::timeout : ErrorKind::none;
    r.finish_reason = "length";
    r.bytes_received = tokens * 180;
    log.on_record(r);
    const bool trial_done = (in_cell + 1) % kTrialRequests == 0 || i + 1 == lines;
    if (trial_done) {
      TrialEnd end;
      end.cell_key = key;
      end.trial = r.trial;
      log.end_trial(end);
    }
    if (in_cell + 1 == kTrialRequests * kTrials || i + 1 == lines)
      log.end_cell({key, true, "none"});
  }
  log.flush();
  return path;
}

struct NullVisitor final : LogVisitor {
  std::uint64_t requests = 0;
  void on_request(const RequestRecord&, const RequestTags&) override { ++requests; }
};

void bench_read(const fs::path& dir, long lines, int tokens, double short_gaps, int repeat) {
  std::printf(
      "writing %ld request lines of %d token events (%.0f%% of gaps 0.1-2 ms) through "
      "RequestLogWriter...\n",
      lines, tokens, short_gaps * 100);
  std::fflush(stdout);
  const double w0 = wall_seconds();
  const fs::path existing = dir / "vllm" / "vllm_gpt-oss-20b_requests.jsonl";
  // --keep DIR with a log from an earlier run of the same size: read it again, unwritten.
  const fs::path path = fs::exists(existing) ? existing : write_log(dir, lines, tokens, short_gaps);
  const double write_s = wall_seconds() - w0;
  const auto bytes = fs::file_size(path);
  std::printf("  %.1f MB in %.1f s (%.0f lines/s written; 0 s: reused from --keep)\n",
              static_cast<double>(bytes) / 1e6, write_s, static_cast<double>(lines) / write_s);

  std::uint64_t counted = 0;
  const Timing parse = best_of(repeat, [&] {
    NullVisitor v;
    read_request_log(path, v);
    counted = v.requests;
  });
  std::size_t cells = 0;
  const Timing digest = best_of(repeat, [&] { cells = digest_log(path).cells.size(); });
  const double n = static_cast<double>(counted);
  std::printf(
      "read_request_log (read + parse + decode): %.2f s wall, %.2f s CPU: %.0f lines/s "
      "wall, %.0f lines/s CPU, %.0f MB/s\n",
      parse.wall, parse.cpu, n / parse.wall, n / parse.cpu,
      static_cast<double>(bytes) / 1e6 / parse.wall);
  std::printf(
      "digest_log (all figures, %zu cells): %.2f s wall, %.2f s CPU: %.0f lines/s wall, "
      "%.0f lines/s CPU (goal: 500,000)\n",
      cells, digest.wall, digest.cpu, n / digest.wall, n / digest.cpu);
}

void bench_summary(const fs::path& dir, int repeat) {
  const fs::path results = dir / "summary-set";
  samples::SampleOptions options;
  options.trials = 5;
  options.requests = 100;
  options.prefix_questions = 50;
  options.korean_items = 25;
  options.output_tokens = 256;
  options.all_cells = true;
  samples::write_sample_logs(results, options);
  std::uintmax_t bytes = 0, files = 0;
  for (const auto& e : fs::recursive_directory_iterator(results))
    if (e.is_regular_file()) bytes += e.file_size(), ++files;
  std::printf(
      "summary set: 3 frameworks × 18 cells × 5 trials × 100 requests (50 prefix, 25 "
      "Korean) × 256 tokens: %ju files, %.1f MB\n",
      files, static_cast<double>(bytes) / 1e6);
  std::size_t written = 0;
  const Timing t = best_of(repeat, [&] {
    const Comparison c = build_comparison(read_results_folder(results));
    written = 0;
    for (const auto format : kReportFormats)
      written += make_reporter(format)->write(c, results / "summary").files.size();
  });
  std::printf("analyze (read, compare, write %zu files): %.2f s wall, %.2f s CPU (goal: < 1 s)\n",
              written, t.wall, t.cpu);
}

}  // namespace

int main(int argc, char** argv) {
  long lines = 1'000'000;
  int tokens = 256, repeat = 3;
  double short_gaps = 0;
  std::string only, keep;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : nullptr;
    if (a == "--lines" && v)
      lines = std::atol(argv[++i]);
    else if (a == "--tokens" && v)
      tokens = std::atoi(argv[++i]);
    else if (a == "--short-gaps" && v)
      short_gaps = std::atof(argv[++i]) / 100.0;
    else if (a == "--repeat" && v)
      repeat = std::atoi(argv[++i]);
    else if (a == "--only" && v)
      only = argv[++i];
    else if (a == "--keep" && v)
      keep = argv[++i];
    else {
      std::fprintf(stderr,
                   "usage: analyze_bench [--only read|summary] [--lines N] [--tokens T] "
                   "[--short-gaps P] [--repeat R] [--keep DIR]\n");
      return 2;
    }
  }
  // One core: the figure is per core, not what a many-core machine makes of it.
  cpu_set_t allowed;
  if (sched_getaffinity(0, sizeof allowed, &allowed) == 0)
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
      if (CPU_ISSET(cpu, &allowed)) {
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(cpu, &one);
        sched_setaffinity(0, sizeof one, &one);
        std::printf("pinned to CPU %d\n", cpu);
        break;
      }
  fs::path dir = keep;
  if (keep.empty()) {
    std::string name = (fs::temp_directory_path() / "analyze-bench-XXXXXX").string();
    dir = mkdtemp(name.data());
  }
  if (only.empty() || only == "read") bench_read(dir, lines, tokens, short_gaps, repeat);
  if (only.empty() || only == "summary") bench_summary(dir, repeat);
  if (keep.empty()) fs::remove_all(dir);
  return 0;
}
