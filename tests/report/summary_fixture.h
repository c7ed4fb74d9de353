#pragma once
// The golden sample (tests/report/golden/results) analysed in a temporary copy: the reporters'
// golden, determinism and browser tests start here.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "analysis/comparison.h"
#include "report/reporter.h"
#include "support/temp_dir.h"

namespace servemeter::testing {

inline const std::filesystem::path kGoldenDir = SERVEMETER_GOLDEN_DIR;

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Copies the golden sample's results folder to `into`/results and returns that folder.
inline std::filesystem::path copy_golden_results(const std::filesystem::path& into) {
  const auto results = into / "results";
  std::filesystem::copy(kGoldenDir / "results", results, std::filesystem::copy_options::recursive);
  return results;
}

struct Written {
  std::vector<std::string> problems;
};

// Analyses `results` and writes every format into `summary`.
inline Written write_summary(const std::filesystem::path& results,
                             const std::filesystem::path& summary) {
  const Comparison c = build_comparison(read_results_folder(results));
  std::filesystem::create_directories(summary);
  Written w;
  for (const auto format : kReportFormats) {
    const ReportOutput out = make_reporter(format)->write(c, summary);
    w.problems.insert(w.problems.end(), out.problems.begin(), out.problems.end());
  }
  return w;
}

}  // namespace servemeter::testing
