// Proof of the GPU telemetry on a real GPU: samples the GPUs through one probe (NVML or the
// nvidia-smi fallback) in three windows: idle, while a load command runs, and after it.
//
//   gpu_telemetry_probe [--probe auto|nvml|nvidia-smi] [--interval-ms 100] [--idle-s 3]
//                       [--after-s 3] --timeseries FILE.jsonl -- LOAD COMMAND...
//
// Prints one JSON document: the probe, the GPU inventory before and during the load, and each
// window's summary; the samples go to FILE.jsonl (telemetry/gpu_timeseries.h).
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "telemetry/gpu_json.h"
#include "telemetry/gpu_probe.h"
#include "telemetry/gpu_sampler.h"

namespace {

using namespace servemeter::telemetry;
using nlohmann::json;

struct Args {
  GpuProbeChoice choice = GpuProbeChoice::automatic;
  int interval_ms = 100;
  double idle_s = 3;
  double after_s = 3;
  std::string timeseries;
  std::vector<std::string> load;
};

int usage(const char* why) {
  std::cerr << "gpu_telemetry_probe: " << why
            << "\nusage: gpu_telemetry_probe [--probe auto|nvml|nvidia-smi] [--interval-ms N] "
               "[--idle-s S] [--after-s S] --timeseries FILE.jsonl -- LOAD COMMAND...\n";
  return 2;
}

bool parse(int argc, char** argv, Args& a, std::string& why) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--") {
      for (++i; i < argc; ++i) a.load.emplace_back(argv[i]);
      break;
    }
    if (i + 1 >= argc) {
      why = arg + " needs a value";
      return false;
    }
    const std::string value = argv[++i];
    if (arg == "--probe") {
      if (value == "auto")
        a.choice = GpuProbeChoice::automatic;
      else if (value == "nvml")
        a.choice = GpuProbeChoice::nvml;
      else if (value == "nvidia-smi")
        a.choice = GpuProbeChoice::nvidia_smi;
      else {
        why = "--probe " + value + ": use auto, nvml or nvidia-smi";
        return false;
      }
    } else if (arg == "--interval-ms") {
      a.interval_ms = std::stoi(value);
    } else if (arg == "--idle-s") {
      a.idle_s = std::stod(value);
    } else if (arg == "--after-s") {
      a.after_s = std::stod(value);
    } else if (arg == "--timeseries") {
      a.timeseries = value;
    } else {
      why = "unknown option " + arg;
      return false;
    }
  }
  if (a.timeseries.empty())
    why = "--timeseries is required";
  else if (a.load.empty())
    why = "no load command after --";
  return why.empty();
}

void sleep_s(double s) {
  std::this_thread::sleep_for(std::chrono::duration<double>(s));
}

json window(GpuSampler& sampler, const std::string& label, const std::string& path,
            const std::function<void()>& during) {
  const std::string error = sampler.begin_window({label, path});
  if (!error.empty()) std::cerr << error << "\n";
  during();
  json j = gpu_window_json(sampler.end_window());
  j["label"] = label;
  j["seconds"] = (j["end_ns"].get<double>() - j["begin_ns"].get<double>()) / 1e9;
  return j;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  std::string why;
  try {
    if (!parse(argc, argv, args, why)) return usage(why.c_str());
  } catch (const std::exception&) {
    return usage("a numeric option has a value that is not a number");
  }
  GpuProbeOptions options;
  options.choice = args.choice;
  auto probe = make_gpu_probe(options);
  json out;
  out["probe"] = probe->kind();
  out["clock"] = "CLOCK_MONOTONIC";
  if (!probe->unavailable_reason().empty()) out["unavailable_reason"] = probe->unavailable_reason();
  out["inventory_before"] = gpu_inventory_json(probe->inventory());

  GpuSamplerOptions sampler_options;
  sampler_options.interval = std::chrono::milliseconds(args.interval_ms);
  GpuSampler sampler(*probe, sampler_options);
  sampler.start();

  json windows = json::array();
  windows.push_back(window(sampler, "idle", args.timeseries, [&] { sleep_s(args.idle_s); }));
  int load_status = -1;
  json inventory_during;
  windows.push_back(window(sampler, "load", args.timeseries, [&] {
    std::vector<char*> argv_load;
    for (auto& s : args.load) argv_load.push_back(s.data());
    argv_load.push_back(nullptr);
    const pid_t pid = fork();
    if (pid == 0) {
      execvp(argv_load[0], argv_load.data());
      std::perror("gpu_telemetry_probe: cannot run the load command");
      _exit(127);
    }
    // Once the load holds its memory, see who is on the GPU (the inventory's process list).
    sleep_s(14);
    inventory_during = gpu_inventory_json(probe->inventory());
    int status = 0;
    if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status))
      load_status = WEXITSTATUS(status);
  }));
  windows.push_back(window(sampler, "after", args.timeseries, [&] { sleep_s(args.after_s); }));
  sampler.stop();

  out["inventory_during_load"] = inventory_during;
  out["load_exit_status"] = load_status;
  out["samples_taken"] = sampler.samples_taken();
  out["windows"] = windows;
  std::cout << out.dump(2, ' ', false, json::error_handler_t::replace) << std::endl;
  return load_status == 0 ? 0 : 1;
}
