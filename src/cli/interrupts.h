#pragma once
// Ctrl-C and SIGTERM: the first stops sending (requests in flight get a grace period, then are
// cancelled) and the results are written; a second cancels what is in flight at once, and sends
// SIGTERM to the process group of any server servemeter started (a ServerProcess also stops its
// server when it goes out of scope). The level is what load::StopSignal watches.
#include <csignal>

namespace servemeter {

// Installs the handlers (idempotent). The first signal also prints one line on stderr.
void install_interrupt_handlers();
// 0: none; 1: stop sending; 2: stop now.
const volatile std::sig_atomic_t* interrupt_level();
bool interrupted();
// The exit code for the signal received: 130 for SIGINT, 143 for SIGTERM; 0 if none came.
int interrupt_exit_code();

}  // namespace servemeter
