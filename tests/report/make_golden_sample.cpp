// Not a test: writes the golden sample's raw logs (tests/report/golden/results/) from
// sample_logs.cpp. Run it after changing the sample, then update the expected outputs with
// SERVEMETER_UPDATE_GOLDEN=1 build/release/tests/report/report_tests.
#include <iostream>

#include "report/sample_logs.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: make_golden_sample RESULTS_DIR\n";
    return 2;
  }
  servemeter::samples::write_sample_logs(argv[1]);
  return 0;
}
