#pragma once
// What the benchmarks that drive `servemeter sim` in a second process share: pinning a process
// to one CPU, and starting the simulator there and reading the address it listens on.
#include <sched.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace servemeter::bench {

// Pins the calling process (or the child about to exec) to `cpu`; a negative cpu leaves it free.
inline void pin_to(int cpu) {
  if (cpu < 0) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  sched_setaffinity(0, sizeof set, &set);
}

struct SimProcess {
  pid_t pid = -1;
  std::string base_url;  // http://host:port, from the simulator's "listening on" line
};

// Starts `args` (the servemeter binary, "sim", its flags with --port 0) pinned to `cpu`, and
// waits for its first line. Exits 2 when it does not say where it listens.
inline SimProcess start_simulator(std::vector<std::string> args, int cpu) {
  int out[2];
  if (pipe(out) != 0) std::exit(2);
  SimProcess sim;
  sim.pid = fork();
  if (sim.pid == 0) {
    pin_to(cpu);
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    close(out[1]);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(out[1]);
  std::string line;
  char c;
  while (read(out[0], &c, 1) == 1 && c != '\n') line += c;
  close(out[0]);
  const std::string prefix = "listening on ";
  if (line.rfind(prefix, 0) != 0) {
    std::fprintf(stderr, "simulator did not start (said '%s')\n", line.c_str());
    std::exit(2);
  }
  sim.base_url = "http://" + line.substr(prefix.size());
  return sim;
}

}  // namespace servemeter::bench
