#include <csignal>

#include "cli/main_command.h"

int main(int argc, char** argv) {
  // A write into a connection the server closed must fail, not kill the run. Every send already
  // passes MSG_NOSIGNAL; this is the last line of defence (libraries, future code).
  std::signal(SIGPIPE, SIG_IGN);
  return servemeter::cli_main(argc, argv);
}
