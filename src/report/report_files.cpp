#include "report/report_files.h"

#include "results/atomic_file.h"

namespace servemeter {

void write_report_file(const std::filesystem::path& path, std::string_view content,
                       ReportOutput& out) {
  try {
    write_file_atomically(path, content);
    out.files.push_back(path);
  } catch (const OutputError& e) {
    out.problems.push_back(e.what());
    ++out.failed_writes;
  }
}

std::unique_ptr<Reporter> make_reporter(std::string_view format) {
  if (format == "json") return make_json_reporter();
  if (format == "md") return make_markdown_reporter();
  if (format == "html") return make_html_reporter();
  if (format == "csv") return make_csv_reporter();
  if (format == "charts") return make_chart_reporter();
  return nullptr;
}

}  // namespace servemeter
