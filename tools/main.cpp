#include "cli/main_command.h"

int main(int argc, char** argv) {
  return servemeter::cli_main(argc, argv);
}
