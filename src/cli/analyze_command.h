#pragma once
// `servemeter analyze`: reads every framework's results under --results-dir (the raw logs first)
// and writes the summary: all_results.json, comparison.md, analysis_report.md, report.html,
// comparison.csv and charts/. The work is in analysis/ and report/; this parses and reports.
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace servemeter {

struct AnalyzeOptions {
  std::string results_dir = "results";
  std::string summary_dir;           // empty: <results_dir>/summary
  std::vector<std::string> formats;  // md, html, json, csv, charts, all; empty: all
  std::vector<std::string> slo;      // ttft=MS, tpot=MS, e2el=MS: recompute goodput with these
  std::string model;                 // the model preset to compare; empty: the most common
  bool rewrite_results = true;       // rewrite each results file from its raw log where it differs
};

void add_analyze_options(CLI::App& app, AnalyzeOptions& options);

// Returns an exit code from exit_codes.h: 0, 2 (bad flag, no results folder), 4 (the summary
// cannot be written), 11 (some input was skipped; the summary covers the rest).
int analyze_command(const AnalyzeOptions& options);

}  // namespace servemeter
