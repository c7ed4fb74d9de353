#pragma once
// Writing a report file atomically, recording it (or the failure) in the reporter's output;
// and the reporters' constructors behind make_reporter().
#include <filesystem>
#include <memory>
#include <string_view>

#include "report/reporter.h"

namespace servemeter {

void write_report_file(const std::filesystem::path& path, std::string_view content,
                       ReportOutput& out);

std::unique_ptr<Reporter> make_json_reporter();
std::unique_ptr<Reporter> make_markdown_reporter();
std::unique_ptr<Reporter> make_html_reporter();
std::unique_ptr<Reporter> make_csv_reporter();
std::unique_ptr<Reporter> make_chart_reporter();

}  // namespace servemeter
