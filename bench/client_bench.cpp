// client_bench — what the client costs and how much it distorts what it measures, against
// `servemeter sim` in a second process. On a 2-core machine the client is pinned to core 0 and
// the simulator to core 1 (override with --client-cpu/--server-cpu; -1 = no pinning).
//
//   client_bench SERVEMETER_BINARY [--quick] [--only SCENARIO] [--conc C] [--tokens N]
//                [--transport plain|curl]
//
// Scenarios (the Foundation issue's speed goals):
//   ingest    sim answers at once, 16 events per write, 256 tokens; concurrency 1/64/256/1024:
//             token events/s on one client core, parsing every event's JSON, and both
//             processes' core use (--tokens N changes the 256)
//   accuracy  sim TTFT 50 ms, 10 ms per token, 16 events per write; C requests started at once
//             at C = 1/64/256/1024: client TTFT − true TTFT (truth log: from the kernel's
//             receive time of the request to the first-token write), the lag from that write
//             to the client's stamp, and the simulator's own intake delay (kernel receive →
//             request parsed), which a client correctly counts in TTFT and the truth does not
//   paced     sim TTFT 50 ms, 10 ms per token, 1 event per write, concurrency 256: CPU per event
//   pacing    open loop at 2,000 requests/s: achieved rate and send lag
// Peak RSS is read after each scenario (it only grows).
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/statistics.h"
#include "load/dataset_source.h"
#include "load/run_cell.h"
#include "protocol/api_adapter.h"
#include "sim_process.h"
#include "workload/synthetic_dataset.h"

namespace {

using namespace servemeter;

int g_client_cpu = 0;
int g_server_cpu = 1;
// --transport curl: run http:// over libcurl, to compare with the plain HTTP/1.1 transport.
http::ClientOptions::Transport g_transport = http::ClientOptions::Transport::automatic;

using bench::pin_to;

struct Sim {
  pid_t pid = -1;
  std::string base_url;
  std::string truth_log;
};

// Only the accuracy scenario needs the truth log; writing it costs the simulator a line per
// request, which would slow the simulator the ingest scenario must not be limited by.
Sim start_sim(const std::string& binary, const std::vector<std::string>& flags,
              bool with_truth_log = false) {
  Sim sim;
  std::vector<std::string> args{binary, "sim", "--profile", "vllm", "--port", "0"};
  if (with_truth_log) {
    sim.truth_log = "/tmp/client_bench_truth_" + std::to_string(getpid()) + ".jsonl";
    args.insert(args.end(), {"--truth-log", sim.truth_log});
  }
  args.insert(args.end(), flags.begin(), flags.end());
  const bench::SimProcess process = bench::start_simulator(std::move(args), g_server_cpu);
  sim.pid = process.pid;
  sim.base_url = process.base_url;
  return sim;
}

// CPU seconds the simulator process has used so far (utime + stime from /proc).
double sim_cpu_seconds(const Sim& sim) {
  std::ifstream in("/proc/" + std::to_string(sim.pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close_paren = text.rfind(')');
  if (close_paren == std::string::npos) return 0;
  std::istringstream fields(text.substr(close_paren + 2));
  std::string skip;
  for (int i = 0; i < 11; ++i) fields >> skip;  // state … cmajflt: fields 3–13
  double utime = 0, stime = 0;
  fields >> utime >> stime;
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

struct Truth {
  std::int64_t arrival_ns = 0, read_ns = 0, first_token_ns = 0;
};

std::unordered_map<std::string, Truth> stop_sim(const Sim& sim) {
  kill(sim.pid, SIGTERM);
  waitpid(sim.pid, nullptr, 0);
  std::unordered_map<std::string, Truth> truth;
  if (sim.truth_log.empty()) return truth;
  std::ifstream in(sim.truth_log);
  for (std::string line; std::getline(in, line);) {
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object() || !j["first_token_ns"].is_number()) continue;
    truth[j.value("client_id", "")] = {j["arrival_ns"].get<std::int64_t>(),
                                       j["read_ns"].get<std::int64_t>(),
                                       j["first_token_ns"].get<std::int64_t>()};
  }
  std::remove(sim.truth_log.c_str());
  return truth;
}

double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

double peak_rss_mib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;
}

struct Measured {
  load::CellResult result;
  double wall_s = 0, cpu_s = 0;
  std::size_t events = 0, errors = 0;
};

Measured drive(const Sim& sim, load::LoadSpec spec, int requests, int max_tokens,
               std::uint64_t first_id) {
  static const auto adapter = make_adapter("openai-chat");
  load::CellInput in;
  in.base_url = sim.base_url;
  in.adapter = adapter.get();
  in.load = spec;
  in.client.transport = g_transport;
  in.first_id = first_id;
  // One prompt for every request: the bench measures the client, not prompt variety.
  static const SyntheticDataset prompts(64, 1, {}, /*same_prompt=*/true);
  GenerationRequest shared;
  shared.model = "meta-llama/Llama-3.1-8B-Instruct";
  shared.max_tokens = max_tokens;
  const load::DatasetSource source(prompts, static_cast<std::size_t>(requests), 0, shared);
  in.source = &source;
  load::NullProgress quiet;
  Measured m;
  const double cpu0 = cpu_seconds();
  const std::int64_t t0 = monotonic_ns();
  m.result = load::run_cell(in, quiet);
  m.wall_s = static_cast<double>(monotonic_ns() - t0) / 1e9;
  m.cpu_s = cpu_seconds() - cpu0;
  for (const auto& r : m.result.records) {
    m.events += r.token_event_ns.size();
    m.errors += r.ok() ? 0 : 1;
  }
  return m;
}

// Per-request costs (connection reuse, request, headers) are spread over `tokens` events, so
// running with --tokens 2048 as well separates them from the per-event cost.
void ingest(const std::string& binary, bool quick, int only_conc, int tokens) {
  std::printf("\n## ingest: sim answers at once, 16 events/write, %d tokens/request\n", tokens);
  std::printf("%6s %9s %12s %10s %10s %9s %8s %8s %8s %7s\n", "conc", "requests", "events/s",
              "req/s", "cpu_s", "cpu/event", "client", "sim", "rss_MiB", "errors");
  for (const int conc : {1, 64, 256, 1024}) {
    if (only_conc > 0 && conc != only_conc) continue;
    const Sim sim =
        start_sim(binary, {"--ttft-ms", "0", "--itl-ms", "0", "--events-per-write", "16"});
    // The same token count whatever --tokens is: 16 requests of 256 tokens per stream (at least
    // 65,536 tokens in all), so each stream's one connect weighs as little as in a real run.
    const int requests =
        std::max(1, (quick ? std::max(conc, 64) : std::max(16 * conc, 256)) * 256 / tokens);
    const double sim_cpu0 = sim_cpu_seconds(sim);
    const auto m = drive(sim, {load::ClosedLoop{conc}, 1}, requests, tokens, 1);
    // Both sides' core use: a client well under 100% is waiting on the simulator.
    const double sim_busy = (sim_cpu_seconds(sim) - sim_cpu0) / m.wall_s;
    stop_sim(sim);
    std::printf("%6d %9d %12.0f %10.1f %10.3f %8.2fus %7.0f%% %7.0f%% %8.1f %7zu\n", conc, requests,
                m.events / m.wall_s, requests / m.wall_s, m.cpu_s, m.cpu_s * 1e6 / m.events,
                100 * m.cpu_s / m.wall_s, 100 * sim_busy, peak_rss_mib(), m.errors);
  }
}

void accuracy(const std::string& binary, int only_conc) {
  std::printf("\n## accuracy: sim TTFT 50 ms, ITL 10 ms, 16 events/write; C requests at once\n");
  std::printf("%6s %11s %11s %11s %11s %11s %11s %9s %8s %7s\n", "conc", "err_mean_ms",
              "err_p99_ms", "lag_mean_ms", "lag_p99_ms", "intake_mean", "intake_p99", "events/s",
              "rss_MiB", "errors");
  for (const int conc : {1, 64, 256, 1024}) {
    if (only_conc > 0 && conc != only_conc) continue;
    const Sim sim =
        start_sim(binary, {"--ttft-ms", "50", "--itl-ms", "10", "--events-per-write", "16"}, true);
    // Warm the simulator up (first-touch memory, allocator) with a throwaway run, then start C
    // requests at once on fresh connections: the burst includes the server accepting them, as
    // the reference figures do.
    drive(sim, {load::ClosedLoop{conc}, 1}, conc, 1, 1'000'000);
    const auto m = drive(sim, {load::ClosedLoop{conc}, 1}, conc, 64, 1);
    const auto truth = stop_sim(sim);
    std::vector<double> error_ms, lag_ms, intake_ms;
    for (const auto& r : m.result.records) {
      const auto it = truth.find(std::to_string(r.id));
      if (!r.ok() || it == truth.end()) continue;
      const double client_ttft = ns_to_ms(r.first_token_ns - r.send_ns);
      const double true_ttft = ns_to_ms(it->second.first_token_ns - it->second.arrival_ns);
      error_ms.push_back(client_ttft - true_ttft);
      lag_ms.push_back(ns_to_ms(r.first_token_ns - it->second.first_token_ns));
      intake_ms.push_back(ns_to_ms(it->second.read_ns - it->second.arrival_ns));
    }
    const auto e = summarize(error_ms);
    const auto l = summarize(lag_ms);
    const auto in = summarize(intake_ms);
    if (!e || !l || !in) {
      std::printf("%6d  (no matched requests; errors %zu)\n", conc, m.errors);
      continue;
    }
    std::printf("%6d %11.3f %11.3f %11.3f %11.3f %11.3f %11.3f %9.0f %8.1f %7zu\n", conc, e->mean,
                e->p99, l->mean, l->p99, in->mean, in->p99, m.events / m.wall_s, peak_rss_mib(),
                m.errors);
  }
}

void paced(const std::string& binary, bool quick) {
  std::printf("\n## paced: sim TTFT 50 ms, ITL 10 ms, 1 event/write, concurrency 256\n");
  const Sim sim = start_sim(binary, {"--ttft-ms", "50", "--itl-ms", "10"});
  const int requests = quick ? 256 : 1024;
  const auto m = drive(sim, {load::ClosedLoop{256}, 1}, requests, 256, 1);
  stop_sim(sim);
  std::printf(
      "events %zu in %.2f s = %.0f events/s (asked ~25,600/s); client CPU %.3f s = "
      "%.2f us/event; errors %zu; peak RSS %.1f MiB\n",
      m.events, m.wall_s, m.events / m.wall_s, m.cpu_s, m.cpu_s * 1e6 / m.events, m.errors,
      peak_rss_mib());
}

void pacing(const std::string& binary, bool quick) {
  std::printf("\n## pacing: open loop, target 2,000 requests/s (Poisson), 4 tokens/request\n");
  const Sim sim = start_sim(binary, {"--ttft-ms", "1", "--itl-ms", "1"});
  const int requests = quick ? 4000 : 20000;
  const auto m = drive(sim, {load::OpenLoop{2000, 1, 0}, 7}, requests, 4, 1);
  stop_sim(sim);
  std::vector<double> lag_ms;
  for (const auto& r : m.result.records)
    if (r.send_ns) lag_ms.push_back(ns_to_ms(r.send_ns - r.intended_send_ns));
  // The Poisson schedule itself deviates from 2,000/s over a finite run; compare with both.
  const auto& recs = m.result.records;
  const double intended_rate =
      (recs.size() - 1) /
      (static_cast<double>(recs.back().intended_send_ns - recs.front().intended_send_ns) / 1e9);
  const auto lag = summarize(lag_ms);
  std::printf(
      "achieved %.1f req/s; intended schedule %.1f req/s (%.3f%% apart); vs target "
      "%.3f%%; send lag p50 %.3f ms, p99 %.3f ms, max %.3f ms; errors %zu\n",
      m.result.achieved_rate.value_or(0), intended_rate,
      100 * (m.result.achieved_rate.value_or(0) / intended_rate - 1),
      100 * (m.result.achieved_rate.value_or(0) / 2000 - 1), lag->p50, lag->p99, lag->max,
      m.errors);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: %s SERVEMETER_BINARY [--quick] [--client-cpu N] [--server-cpu N] "
                 "[--only ingest|accuracy|paced|pacing] [--conc C] [--tokens N] "
                 "[--transport plain|curl]\n",
                 argv[0]);
    return 2;
  }
  bool quick = false;
  std::string only;
  int only_conc = 0;  // ingest and accuracy: just this concurrency
  int tokens = 256;   // ingest: tokens per request
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--quick") quick = true;
    if (a == "--client-cpu" && i + 1 < argc) g_client_cpu = std::atoi(argv[++i]);
    if (a == "--server-cpu" && i + 1 < argc) g_server_cpu = std::atoi(argv[++i]);
    if (a == "--only" && i + 1 < argc) only = argv[++i];
    if (a == "--conc" && i + 1 < argc) only_conc = std::atoi(argv[++i]);
    if (a == "--transport" && i + 1 < argc && std::string(argv[++i]) == "curl")
      g_transport = http::ClientOptions::Transport::curl;
    if (a == "--tokens" && i + 1 < argc) tokens = std::max(1, std::atoi(argv[++i]));
  }
  rlimit fds{};
  getrlimit(RLIMIT_NOFILE, &fds);
  fds.rlim_cur = fds.rlim_max;
  setrlimit(RLIMIT_NOFILE, &fds);
  pin_to(g_client_cpu);
  std::printf("client_bench: client on cpu %d, simulator on cpu %d, %s transport\n", g_client_cpu,
              g_server_cpu,
              g_transport == http::ClientOptions::Transport::curl ? "curl" : "plain HTTP/1.1");
  if (only.empty() || only == "ingest") ingest(argv[1], quick, only_conc, tokens);
  if (only.empty() || only == "accuracy") accuracy(argv[1], only_conc);
  if (only.empty() || only == "paced") paced(argv[1], quick);
  if (only.empty() || only == "pacing") pacing(argv[1], quick);
  return 0;
}
