// comparison.md (the frameworks side by side per scenario cell, the prefix-cache and Korean
// tables) and analysis_report.md (environment, verdicts with evidence, saturation, findings,
// what is missing).
#include "analysis/scenario_names.h"
#include "report/report_files.h"
#include "report/reporter.h"
#include "report/summary_tables.h"
#include "report/text_format.h"

namespace servemeter {
namespace {

void table(std::string& out, const Table& t, const char* heading = "###") {
  if (!t.title.empty()) out += std::string(heading) + " " + t.title + "\n\n";
  if (!t.caption.empty()) out += "_" + text::markdown_cell(t.caption) + "_\n\n";
  if (t.rows.empty()) {
    out += "(nothing to show)\n\n";
    return;
  }
  out += "|";
  for (const auto& h : t.header) out += " " + text::markdown_cell(h) + " |";
  out += "\n|";
  for (std::size_t i = 0; i < t.header.size(); ++i) out += i == 0 || !t.numeric ? "---|" : "---:|";
  out += "\n";
  for (const auto& row : t.rows) {
    out += "|";
    for (const auto& cell : row) {
      const std::string s = text::markdown_cell(cell.text);
      out += " " + (cell.best ? "**" + s + "**" : s) + " |";
    }
    out += "\n";
  }
  out += "\n";
  for (const auto& n : t.notes) out += "- " + n + "\n";
  if (!t.notes.empty()) out += "\n";
}

void banner(std::string& out, const Comparison& c) {
  if (const std::string b = simulated_banner(c); !b.empty()) out += "> **" + b + "**\n\n";
}

void list(std::string& out, const std::vector<std::string>& items) {
  for (const auto& i : items) out += "- " + i + "\n";
  if (!items.empty()) out += "\n";
}

std::string comparison_md(const Comparison& c) {
  std::string out = "# Framework comparison · " + c.model_preset + "\n\n";
  banner(out, c);
  out +=
      "Each figure is the mean ± sample standard deviation over trials (a single value when "
      "there was one trial), in model time; **bold** marks the best value of a row (GPU memory "
      "is not ranked: servers reserve it up front); — means not measured (see the notes and "
      "analysis_report.md). Derived by `servemeter analyze` from the raw per-request logs.\n\n";
  table(out, frameworks_table(c), "##");
  static const std::string kDot = " · ";
  std::string scenario;
  for (const auto& t : cell_tables(c)) {
    const std::string s = t.title.substr(0, t.title.find(kDot));
    if (s != scenario) {
      scenario = s;
      out += "## " + scenario + "\n\n";
    }
    Table shown = t;
    shown.title = t.title.substr(t.title.find(kDot) + kDot.size());
    table(out, shown);
  }
  for (const auto& t : prefix_cache_tables(c)) table(out, t, "##");
  const auto korean = korean_tables(c);
  if (!korean.empty()) out += "## Korean and English\n\n";
  for (const auto& t : korean) table(out, t);
  if (c.cells.empty()) out += "No measured cells to compare.\n\n";
  return out;
}

std::string analysis_md(const Comparison& c) {
  std::string out = "# Analysis report · " + c.model_preset + "\n\n";
  banner(out, c);
  out += "## Environment\n\n";
  const Environment& env = c.environment;
  out += "- GPU: " +
         (env.gpus.empty() ? env.gpu_note : [&] {
           std::string s;
           for (const auto& g : env.gpus) s += (s.empty() ? "" : ", ") + g;
           return s;
         }()) +
         "\n";
  if (env.gpu_memory_total_mib)
    out += "- GPU memory: " + text::number(*env.gpu_memory_total_mib) + " MiB\n";
  out += "- Driver: " +
         (env.drivers.empty() ? std::string("not recorded") : [&] {
           std::string s;
           for (const auto& d : env.drivers) s += (s.empty() ? "" : ", ") + d;
           return s;
         }()) +
         "\n- Model preset: " + c.model_preset + "\n\n";
  table(out, environment_table(c));
  list(out, env.model_notes);

  out += "## Hypotheses\n\n";
  table(out, verdicts_table(c), "###");
  out +=
      "Each hypothesis is decided by comparisons whose test, margin and rule are stated below "
      "(docs/analysis.md has the definitions). p-values are two-sided and corrected with Holm's "
      "method over the comparisons of that hypothesis (α = 0.05). \"inconclusive\" means the "
      "data do not decide, with the reason.\n\n";
  for (const auto& h : c.hypotheses) {
    out +=
        "### " + h.id + " · " + h.statement + ": **" + std::string(to_string(h.verdict)) + "**\n\n";
    out += "- Data: " + h.data + ".\n";
    out += "- Method: " + h.method + ".\n";
    out += "- Verdict: " + std::string(to_string(h.verdict)) + " — " + h.reason + ".\n";
    for (const auto& n : h.notes) out += "- " + n + "\n";
    out += "\n";
    Table evidence = evidence_table(h);
    evidence.title.clear();
    table(out, evidence);
  }
  table(out, saturation_table(c), "##");
  out += "## Findings\n\n";
  list(out, c.findings);
  out += "## Missing data\n\n";
  if (c.missing.empty() && c.skipped.empty() && c.problems.empty())
    out += "Nothing: every framework has every scenario, from its raw log.\n\n";
  list(out, c.missing);
  if (!c.skipped.empty()) {
    out += "Skipped inputs:\n\n";
    for (const auto& s : c.skipped) out += "- `" + s.file + "`: " + s.reason + "\n";
    out += "\n";
  }
  if (!c.problems.empty()) {
    out += "Problems in the files:\n\n";
    list(out, c.problems);
  }
  return out;
}

class MarkdownReporter final : public Reporter {
 public:
  std::string_view format() const override { return "md"; }
  ReportOutput write(const Comparison& c, const std::filesystem::path& folder) const override {
    ReportOutput out;
    write_report_file(folder / "comparison.md", comparison_md(c), out);
    write_report_file(folder / "analysis_report.md", analysis_md(c), out);
    return out;
  }
};

}  // namespace

std::unique_ptr<Reporter> make_markdown_reporter() {
  return std::make_unique<MarkdownReporter>();
}

}  // namespace servemeter
