#include "cli/analyze_command.h"

#include <CLI/CLI.hpp>
#include <cmath>
#include <iostream>

#include "analysis/comparison.h"
#include "cli/exit_codes.h"
#include "report/reporter.h"
#include "results/atomic_file.h"

namespace servemeter {
namespace {

int fail(int code, const std::string& message) {
  std::cerr << "servemeter analyze: " << message << "\n";
  return code;
}

// "ttft=500" … into an Slo, or the problem in words.
std::string parse_slo(const std::vector<std::string>& items, Slo& slo) {
  for (const auto& item : items) {
    const auto eq = item.find('=');
    const std::string name = item.substr(0, eq);
    char* end = nullptr;
    const std::string value = eq == std::string::npos ? std::string() : item.substr(eq + 1);
    const double ms = std::strtod(value.c_str(), &end);
    if (eq == std::string::npos || (name != "ttft" && name != "tpot" && name != "e2el"))
      return "--slo '" + item + "': expected ttft=MS, tpot=MS or e2el=MS";
    if (value.empty() || *end != '\0' || !std::isfinite(ms) || ms <= 0)
      return "--slo '" + item + "': '" + value + "' is not a positive number of milliseconds";
    (name == "ttft" ? slo.ttft_ms : name == "tpot" ? slo.tpot_ms : slo.e2el_ms) = ms;
  }
  return {};
}

std::string format_list() {
  std::string out;
  for (const auto f : kReportFormats) out += std::string(out.empty() ? "" : ", ") + std::string(f);
  return out + " or all";
}

}  // namespace

void add_analyze_options(CLI::App& app, AnalyzeOptions& o) {
  app.add_option("--results-dir", o.results_dir, "the results folder to read")
      ->capture_default_str();
  app.add_option("--summary-dir", o.summary_dir,
                 "where the summary goes (default: <results-dir>/summary)");
  app.add_option("--format", o.formats,
                 "outputs to write: md, html, json, csv, charts or all (default), comma-separated")
      ->delimiter(',');
  app.add_option("--slo", o.slo,
                 "recompute goodput with these objectives, e.g. ttft=500,tpot=50 (ms)")
      ->delimiter(',');
  app.add_option("--model", o.model,
                 "the model preset to compare (default: the one most frameworks have)");
  app.add_flag("!--no-rewrite", o.rewrite_results,
               "do not rewrite the frameworks' results files from their raw logs");
}

int analyze_command(const AnalyzeOptions& o) {
  std::vector<std::string> formats;
  for (const auto& f : o.formats) {
    if (f == "all") {
      formats.clear();
      break;
    }
    bool known = false;
    for (const auto k : kReportFormats) known = known || f == k;
    if (!known)
      return fail(exit_code::kUsage, "unknown --format '" + f + "': choose " + format_list());
    if (std::find(formats.begin(), formats.end(), f) == formats.end()) formats.push_back(f);
  }
  if (formats.empty())
    for (const auto k : kReportFormats) formats.emplace_back(k);

  FolderOptions folder_options;
  folder_options.rewrite_results_files = o.rewrite_results;
  Slo slo;
  if (const std::string problem = parse_slo(o.slo, slo); !problem.empty())
    return fail(exit_code::kUsage, problem);
  if (slo.any()) folder_options.digest.slo = slo;

  FolderReading reading;
  try {
    reading = read_results_folder(o.results_dir, folder_options);
  } catch (const ReadError& e) {
    return fail(exit_code::kUsage, e.what());
  }
  for (const auto& m : reading.messages) std::cerr << "servemeter analyze: " << m << "\n";
  if (reading.frameworks.empty() && reading.skipped.empty())
    return fail(exit_code::kUsage, "no results in " + o.results_dir +
                                       " (no <framework>/*_requests.jsonl or *_results.json): "
                                       "run `servemeter run` first, or pass --results-dir");
  const auto presets = model_presets(reading);
  if (!o.model.empty() && std::none_of(presets.begin(), presets.end(),
                                       [&](const auto& p) { return p.first == o.model; })) {
    std::string known;
    for (const auto& [preset, names] : presets) known += (known.empty() ? "" : ", ") + preset;
    return fail(exit_code::kUsage, "no results for model '" + o.model + "' in " + o.results_dir +
                                       " (it has: " + known + ")");
  }

  const Comparison comparison = build_comparison(std::move(reading), {o.model});
  const std::filesystem::path summary = o.summary_dir.empty()
                                            ? std::filesystem::path(o.results_dir) / "summary"
                                            : std::filesystem::path(o.summary_dir);
  try {
    ensure_writable_folder(summary);
  } catch (const OutputError& e) {
    return fail(exit_code::kOutputUnwritable, e.what());
  }
  bool write_failed = false;
  std::size_t written = 0;
  for (const auto& format : formats) {
    const auto reporter = make_reporter(format);
    const ReportOutput out = reporter->write(comparison, summary);
    written += out.files.size();
    for (const auto& p : out.problems) std::cerr << "servemeter analyze: " << p << "\n";
    write_failed = write_failed || out.failed_writes > 0;
  }
  for (const auto& h : comparison.hypotheses)
    std::cout << h.id << " " << to_string(h.verdict) << ": " << h.statement << "\n";
  for (const auto& s : comparison.skipped)
    std::cerr << "servemeter analyze: skipped " << s.file << ": " << s.reason << "\n";
  std::cout << "summary: " << summary.string() << " (" << written << " files"
            << (comparison.any_simulated ? "; SIMULATED results" : "") << ")\n";
  if (write_failed)
    return fail(exit_code::kOutputUnwritable,
                "some summary files could not be written (see above); choose a writable "
                "--summary-dir");
  if (!comparison.skipped.empty())
    return fail(exit_code::kAnalyzeSkippedInput,
                std::to_string(comparison.skipped.size()) +
                    " inputs were skipped (named above and in analysis_report.md); the summary "
                    "covers the rest");
  return exit_code::kOk;
}

}  // namespace servemeter
