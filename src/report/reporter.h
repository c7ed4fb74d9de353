#pragma once
// One reporter per output format, behind one small interface: each turns the same Comparison
// into its files under the summary folder (written atomically), byte for byte the same for the
// same comparison.
#include <array>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/comparison.h"

namespace servemeter {

struct ReportOutput {
  std::vector<std::filesystem::path> files;  // written
  std::vector<std::string> problems;         // what went wrong (a chart that could not be drawn…)
  std::size_t failed_writes = 0;             // files that could not be written
};

class Reporter {
 public:
  virtual ~Reporter() = default;
  virtual std::string_view format() const = 0;
  virtual ReportOutput write(const Comparison& comparison,
                             const std::filesystem::path& folder) const = 0;
};

// json (all_results.json), md (comparison.md, analysis_report.md), html (report.html), csv
// (comparison.csv), charts (charts/*.png and *.svg).
inline constexpr std::array<std::string_view, 5> kReportFormats{"json", "md", "html", "csv",
                                                                "charts"};
// nullptr for an unknown format.
std::unique_ptr<Reporter> make_reporter(std::string_view format);

}  // namespace servemeter
