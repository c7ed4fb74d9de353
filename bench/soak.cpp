// soak — a long run through the real path at high concurrency, watching the client's memory and
// file descriptors: `servemeter sim` in a second process (fixed timing, small outputs), and in
// this process a BenchmarkRun (requests built as they are sent, every record to the raw log as it
// finishes, the results file derived from the log at the end), exactly as `servemeter run` does.
//
//   soak SERVEMETER_BINARY [--requests N] [--concurrency C] [--output-tokens T]
//        [--input-tokens T] [--sample-s S] [--client-cpu N] [--server-cpu N] [--dir DIR]
//        [--keep]
//
// Every --sample-s seconds it reads /proc/self/statm (resident set) and counts /proc/self/fd,
// and prints the curve compactly; at the end: RSS after warm-up against the peak, the slope per
// million requests, descriptors over time, and the accounting (sent = request lines in the log =
// succeeded + failed, every failure by kind). The log goes to a temporary folder and is deleted
// unless --keep. Exit status 1 when RSS grew after warm-up, descriptors grew, or a request is
// unaccounted for.
#include <dirent.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "orchestrate/benchmark_run.h"
#include "protocol/api_adapter.h"
#include "results/request_log_reader.h"
#include "sim_process.h"
#include "workload/synthetic_dataset.h"

namespace {

using namespace servemeter;
namespace fs = std::filesystem;

using bench::pin_to;

double rss_mib(pid_t pid = 0) {
  std::ifstream in(pid == 0 ? std::string("/proc/self/statm")
                            : "/proc/" + std::to_string(pid) + "/statm");
  long size = 0, resident = 0;
  in >> size >> resident;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / 1048576.0;
}

int open_fds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  int n = 0;
  while (const dirent* e = readdir(dir))
    if (e->d_name[0] != '.') ++n;
  closedir(dir);
  return n - 1;  // the one opendir holds
}

using Sim = bench::SimProcess;

Sim start_sim(const std::string& binary, int cpu, const std::vector<std::string>& flags) {
  std::vector<std::string> args{binary, "sim", "--profile", "vllm", "--port", "0"};
  args.insert(args.end(), flags.begin(), flags.end());
  return bench::start_simulator(std::move(args), cpu);
}

// The load generator's progress, read by the sampler thread.
class ProgressWatch final : public load::ProgressSink {
 public:
  void update(const load::ProgressSnapshot& s) override { done.store(s.done); }
  void finish(const load::ProgressSnapshot& s) override {
    done.store(s.done);
    finished_ns.store(monotonic_ns());
    measuring.store(false);
  }
  std::atomic<std::int64_t> done{0};
  std::atomic<std::int64_t> finished_ns{0};
  std::atomic<bool> measuring{true};
};

struct Sample {
  double t_s = 0;
  std::int64_t done = 0;
  double rss = 0, sim_rss = 0;
  int fds = 0;
  bool measuring = true;  // false: the results are being written
};

// Counts what the raw log holds, read back with servemeter's own reader.
struct LogCount final : LogVisitor {
  std::int64_t requests = 0, ok = 0, failed = 0, sent = 0, completed = 0, trial_failed = 0;
  std::map<std::string, std::int64_t> kinds;
  void on_request(const RequestRecord& r, const RequestTags&) override {
    ++requests;
    if (r.ok()) {
      ++ok;
    } else {
      ++failed;
      ++kinds[std::string(to_string(r.error))];
    }
  }
  void on_trial_end(const TrialEnd& t) override {
    sent += t.sent;
    completed += t.completed;
    trial_failed += t.failed;
  }
};

double least_squares_slope(const std::vector<double>& x, const std::vector<double>& y) {
  const double n = static_cast<double>(x.size());
  if (n < 2) return 0;
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sx += x[i];
    sy += y[i];
    sxx += x[i] * x[i];
    sxy += x[i] * y[i];
  }
  const double d = n * sxx - sx * sx;
  return d == 0 ? 0 : (n * sxy - sx * sy) / d;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: %s SERVEMETER_BINARY [--requests N] [--concurrency C] "
                 "[--output-tokens T] [--input-tokens T] [--sample-s S] [--client-cpu N] "
                 "[--server-cpu N] [--dir DIR] [--keep]\n",
                 argv[0]);
    return 2;
  }
  std::int64_t requests = 200'000;
  int concurrency = 1024, output_tokens = 4, input_tokens = 32;
  double sample_s = 1.0;
  int client_cpu = 0, server_cpu = 1;
  fs::path parent = fs::temp_directory_path();
  bool keep = false;
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    const bool more = i + 1 < argc;
    if (a == "--requests" && more) requests = std::atoll(argv[++i]);
    if (a == "--concurrency" && more) concurrency = std::atoi(argv[++i]);
    if (a == "--output-tokens" && more) output_tokens = std::atoi(argv[++i]);
    if (a == "--input-tokens" && more) input_tokens = std::atoi(argv[++i]);
    if (a == "--sample-s" && more) sample_s = std::atof(argv[++i]);
    if (a == "--client-cpu" && more) client_cpu = std::atoi(argv[++i]);
    if (a == "--server-cpu" && more) server_cpu = std::atoi(argv[++i]);
    if (a == "--dir" && more) parent = argv[++i];
    if (a == "--keep") keep = true;
  }
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
  signal(SIGPIPE, SIG_IGN);

  // Small answers at a fixed pace, so the client and the log are what is exercised.
  const Sim sim = start_sim(
      argv[1], server_cpu,
      {"--ttft-ms", "2", "--itl-ms", "1", "--events-per-write", "4", "--time-scale", "10"});
  pin_to(client_cpu);

  std::string dir_template = (parent / "servemeter-soak-XXXXXX").string();
  if (mkdtemp(dir_template.data()) == nullptr) {
    std::perror("mkdtemp");
    return 2;
  }
  const fs::path dir = dir_template;
  const ResultPaths paths = result_paths(dir, "vllm", "soak");
  const auto adapter = make_adapter("openai-chat");

  CellPlan plan;
  plan.scenario = "soak";
  plan.label = "in=" + std::to_string(input_tokens) + ",out=" + std::to_string(output_tokens) +
               ",conc=" + std::to_string(concurrency);
  plan.dataset = std::make_shared<SyntheticDataset>(static_cast<std::size_t>(input_tokens), 1);
  plan.params = {{"input_tokens", input_tokens},
                 {"output_tokens", output_tokens},
                 {"concurrency", concurrency},
                 {"num_requests", requests},
                 {"warmup", 0},
                 {"seed", 1},
                 {"dataset", plan.dataset->describe()}};
  plan.load.mode = load::ClosedLoop{concurrency};
  plan.num_requests = static_cast<int>(requests);
  plan.shared.model = "meta-llama/Llama-3.1-8B-Instruct";
  plan.shared.max_tokens = output_tokens;
  plan.shared.exact_output_length = true;

  RunInfo run;
  run.run_id = "soak";
  run.tool_version = "bench";
  run.framework = "vllm";
  run.model_preset = "soak";
  run.model = plan.shared.model;
  run.base_url = sim.base_url;
  run.api = "openai-chat";
  run.simulated = true;
  run.time_scale = 10;

  ProgressWatch watch;
  BenchmarkSettings settings;
  settings.progress = false;
  settings.progress_sink = &watch;

  std::printf(
      "soak: %lld requests, concurrency %d, %d output tokens; client on cpu %d, "
      "simulator on cpu %d; log in %s\n",
      static_cast<long long>(requests), concurrency, output_tokens, client_cpu, server_cpu,
      dir.c_str());
  std::printf("%8s %12s %9s %9s %6s %9s\n", "t_s", "done", "rss_MiB", "sim_MiB", "fds", "req/s");
  std::fflush(stdout);

  std::vector<Sample> samples;
  std::mutex mutex;
  std::condition_variable stop_sampling;
  bool finished = false;
  const std::int64_t t0 = monotonic_ns();
  std::thread sampler([&] {
    std::unique_lock lock(mutex);
    std::int64_t last_done = 0;
    double last_t = 0, last_printed = -1e9;
    while (!stop_sampling.wait_for(lock, std::chrono::duration<double>(sample_s),
                                   [&] { return finished; })) {
      Sample s;
      s.t_s = static_cast<double>(monotonic_ns() - t0) / 1e9;
      s.done = watch.done.load();
      s.rss = rss_mib();
      s.sim_rss = rss_mib(sim.pid);
      s.fds = open_fds();
      s.measuring = watch.measuring.load();
      samples.push_back(s);
      // Print about every 10 s (and every sample in short runs) to keep the curve compact.
      if (s.t_s - last_printed >= std::max(10.0, sample_s) || samples.size() <= 5) {
        std::printf("%8.1f %12lld %9.1f %9.1f %6d %9.0f%s\n", s.t_s, static_cast<long long>(s.done),
                    s.rss, s.sim_rss, s.fds,
                    static_cast<double>(s.done - last_done) / (s.t_s - last_t),
                    s.measuring ? "" : "  (writing results)");
        std::fflush(stdout);
        last_done = s.done;
        last_t = s.t_s;
        last_printed = s.t_s;
      }
    }
  });

  BenchmarkOutcome outcome;
  double measure_s = 0;
  try {
    BenchmarkTarget target;
    target.base_url = sim.base_url;
    target.adapter = adapter.get();
    target.framework = "vllm";
    BenchmarkRun benchmark(target, run, paths, settings);
    outcome = benchmark.run({plan}, std::cout);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "soak: %s\n", e.what());
  }
  const double total_s = static_cast<double>(monotonic_ns() - t0) / 1e9;
  {
    std::lock_guard lock(mutex);
    finished = true;
  }
  stop_sampling.notify_all();
  sampler.join();
  kill(sim.pid, SIGTERM);
  waitpid(sim.pid, nullptr, 0);
  measure_s = static_cast<double>(watch.finished_ns.load() - t0) / 1e9;

  // Warm-up: the first 10% of the requests (connections, buffers, allocator arenas settle).
  const std::int64_t warm = requests / 10;
  double rss_warm = -1, rss_peak_after = 0, rss_peak = 0, rss_peak_results = 0;
  int fds_warm = -1, fds_max_after = 0;
  std::vector<double> x, y;
  for (const auto& s : samples) {
    rss_peak = std::max(rss_peak, s.rss);
    if (!s.measuring) {
      rss_peak_results = std::max(rss_peak_results, s.rss);
      continue;
    }
    if (s.done < warm) continue;
    if (rss_warm < 0) {
      rss_warm = s.rss;
      fds_warm = s.fds;
    }
    rss_peak_after = std::max(rss_peak_after, s.rss);
    fds_max_after = std::max(fds_max_after, s.fds);
    x.push_back(static_cast<double>(s.done) / 1e6);
    y.push_back(s.rss);
  }
  // RSS at round request counts: the first sample at or past each, while measuring.
  std::printf("\nRSS at:");
  const Sample* last_measuring = nullptr;
  for (const auto& s : samples)
    if (s.measuring) last_measuring = &s;
  for (const std::int64_t mark : {requests / 10, requests / 5, requests / 2, requests}) {
    const Sample* at = last_measuring;
    for (const auto& s : samples)
      if (s.measuring && s.done >= mark) {
        at = &s;
        break;
      }
    if (at != nullptr)
      std::printf("  %lld req: %.1f MiB", static_cast<long long>(at->done), at->rss);
  }
  if (!samples.empty())
    std::printf("\nsimulator RSS %.1f MiB at the first sample, %.1f MiB at the last",
                samples.front().sim_rss, samples.back().sim_rss);
  std::printf("\n");

  LogCount count;
  LogReadStats stats;
  try {
    stats = read_request_log(paths.requests_jsonl, count);
  } catch (const ReadError& e) {
    std::fprintf(stderr, "soak: %s\n", e.what());
  }
  std::error_code ec;
  const auto log_bytes = fs::file_size(paths.requests_jsonl, ec);
  const auto results_bytes = fs::file_size(paths.results_json, ec);

  const double slope = least_squares_slope(x, y);
  std::printf("duration %.1f s (measuring %.1f s, %.0f req/s; results written in %.1f s)\n",
              total_s, measure_s, static_cast<double>(count.requests) / std::max(measure_s, 1e-9),
              total_s - measure_s);
  std::printf(
      "RSS after warm-up %.1f MiB, peak while measuring %.1f MiB (+%.1f), slope %+.3f "
      "MiB per million requests; peak while writing the results %.1f MiB; overall peak "
      "%.1f MiB\n",
      rss_warm, rss_peak_after, rss_peak_after - rss_warm, slope, rss_peak_results, rss_peak);
  std::printf("open fds after warm-up %d, max later %d\n", fds_warm, fds_max_after);
  std::printf("log %.1f MiB (%.0f bytes/request), results %.1f KiB; bad lines %llu\n",
              static_cast<double>(log_bytes) / 1048576.0,
              static_cast<double>(log_bytes) / std::max<double>(1, count.requests),
              static_cast<double>(results_bytes) / 1024.0,
              static_cast<unsigned long long>(stats.bad_lines));
  std::printf(
      "accounting: planned %lld, sent %lld, request lines %lld, completed %lld, "
      "succeeded %lld + failed %lld",
      static_cast<long long>(requests), static_cast<long long>(count.sent),
      static_cast<long long>(count.requests), static_cast<long long>(count.completed),
      static_cast<long long>(count.ok), static_cast<long long>(count.failed));
  for (const auto& [kind, n] : count.kinds)
    std::printf(" (%s %lld)", kind.c_str(), static_cast<long long>(n));
  std::printf("\n");
  if (!outcome.cells.empty() && !outcome.cells[0].entry.is_null()) {
    const auto& e = outcome.cells[0].entry;
    std::printf("results: measured %s, successful %s, errors %s, success rate %s%%\n",
                e["measured_requests_total"].dump().c_str(),
                e["successful_requests_total"].dump().c_str(), e["errors_total"].dump().c_str(),
                e["success_rate"].dump().c_str());
  }

  const bool accounted = count.sent == requests && count.requests == count.sent &&
                         count.completed == count.sent && count.ok + count.failed == count.sent &&
                         count.trial_failed == count.failed && stats.bad_lines == 0;
  // Flat: no more than 10% (and 16 MiB) above the level after warm-up, and no steady climb.
  const bool flat_rss = rss_peak_after <= std::max(rss_warm * 1.10, rss_warm + 16) &&
                        slope * static_cast<double>(requests) / 1e6 < 16;
  const bool flat_fds = fds_max_after <= fds_warm + 8;
  std::printf("verdict: %s accounted, RSS %s, fds %s\n", accounted ? "every request" : "NOT",
              flat_rss ? "flat" : "GREW", flat_fds ? "flat" : "GREW");
  if (!keep) fs::remove_all(dir, ec);
  return accounted && flat_rss && flat_fds ? 0 : 1;
}
