#include "cli/interrupts.h"

#include <unistd.h>

#include <cstring>

#include "cli/exit_codes.h"
#include "orchestrate/server_process.h"

namespace servemeter {
namespace {

volatile std::sig_atomic_t g_level = 0;
volatile std::sig_atomic_t g_signal = 0;

void say(const char* text) {
  // Only async-signal-safe calls here.
  const auto ignored = ::write(STDERR_FILENO, text, std::strlen(text));
  (void)ignored;
}

void on_signal(int signal) {
  if (g_signal == 0) g_signal = signal;
  if (g_level == 0) {
    g_level = 1;
    say("\nservemeter: stopping: no new requests; requests in flight get a grace period "
        "(--grace-period), then are cancelled. Press Ctrl-C again to stop at once.\n");
  } else {
    g_level = 2;
    say("\nservemeter: stopping now; writing what was measured.\n");
    // Servers this process started get SIGTERM now, in case nothing else runs to stop them.
    terminate_started_servers_from_signal();
  }
}

}  // namespace

void install_interrupt_handlers() {
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: blocking waits wake up and look at the level
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

const volatile std::sig_atomic_t* interrupt_level() {
  return &g_level;
}

bool interrupted() {
  return g_level != 0;
}

int interrupt_exit_code() {
  if (g_signal == 0) return 0;
  return g_signal == SIGTERM ? exit_code::kTerminated : exit_code::kInterrupted;
}

}  // namespace servemeter
