// report.html: one self-contained page that opens offline — the summary and verdicts, the
// charts (SVG as data: URIs, so their internal ids cannot clash), every table, the environment
// and what is missing. No script, no external request: CSS inline, the favicon a data: URI.
#include "report/report_files.h"
#include "report/summary_charts.h"
#include "report/summary_tables.h"
#include "report/text_format.h"

namespace servemeter {
namespace {

constexpr const char* kStyle = R"(
body{font-family:"Noto Sans","Noto Sans CJK KR","DejaVu Sans",sans-serif;margin:0;color:#222;background:#fff}
header,main,footer{max-width:1100px;margin:0 auto;padding:0 20px}
h1{font-size:1.7em;margin:1em 0 .3em}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:2em}
h3{margin-top:1.5em}
.banner{background:#fff3cd;border:2px solid #e0a800;padding:.8em 1em;font-weight:bold}
nav a{margin-right:1em}
table{border-collapse:collapse;margin:.5em 0 1em;font-size:.9em}
th,td{border:1px solid #ccc;padding:.3em .6em;text-align:right;vertical-align:top}
th:first-child,td:first-child,table.text td,table.text th{text-align:left}
th{background:#f2f2f2}td.best{font-weight:bold;background:#e6f4ea}
.caption{color:#555;font-style:italic;margin:.2em 0}
.verdicts{display:flex;flex-wrap:wrap;gap:10px;margin:1em 0}
.verdict{border-radius:6px;padding:.6em .8em;flex:1 1 180px;border:1px solid #ccc}
.verdict b{display:block;font-size:1.1em}
.supported{background:#e6f4ea;border-color:#34a853}.not-supported{background:#fce8e6;border-color:#d93025}
.inconclusive{background:#f1f3f4;border-color:#9aa0a6}
figure{margin:1em 0}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{color:#555}
ul.notes{color:#444}
footer{color:#777;margin:3em auto 2em}
)";

std::string base64(const std::string& bytes) {
  static const char* const alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned v = static_cast<unsigned char>(bytes[i]) << 16 |
                       static_cast<unsigned char>(bytes[i + 1]) << 8 |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += alphabet[v >> 18];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  if (i < bytes.size()) {
    unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += alphabet[v >> 18];
    out += alphabet[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? alphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string css_class(Verdict v) {
  switch (v) {
    case Verdict::supported:
      return "supported";
    case Verdict::not_supported:
      return "not-supported";
    case Verdict::inconclusive:
      break;
  }
  return "inconclusive";
}

// Inline `code` spans of the Markdown-flavoured texts become <code>.
std::string inline_text(const std::string& s) {
  std::string out;
  bool code = false;
  for (char ch : s) {
    if (ch == '`') {
      out += code ? "</code>" : "<code>";
      code = !code;
      continue;
    }
    out += text::html(std::string(1, ch));
  }
  if (code) out += "</code>";
  return out;
}

void list(std::string& out, const std::vector<std::string>& items) {
  if (items.empty()) return;
  out += "<ul class=\"notes\">\n";
  for (const auto& i : items) out += "<li>" + inline_text(i) + "</li>\n";
  out += "</ul>\n";
}

void table(std::string& out, const Table& t, const char* heading = "h3") {
  if (!t.title.empty())
    out += std::string("<") + heading + ">" + text::html(t.title) + "</" + heading + ">\n";
  if (!t.caption.empty()) out += "<p class=\"caption\">" + text::html(t.caption) + "</p>\n";
  out += t.numeric ? "<table>\n<tr>" : "<table class=\"text\">\n<tr>";
  for (const auto& h : t.header) out += "<th>" + text::html(h) + "</th>";
  out += "</tr>\n";
  for (const auto& row : t.rows) {
    out += "<tr>";
    for (const auto& cell : row)
      out += std::string(cell.best ? "<td class=\"best\">" : "<td>") + inline_text(cell.text) +
             "</td>";
    out += "</tr>\n";
  }
  out += "</table>\n";
  list(out, t.notes);
}

std::string page(const Comparison& c, ReportOutput& output) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<link rel=\"icon\" href=\"data:,\">\n<title>servemeter summary · " +
      text::html(c.model_preset) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n";
  out += "<header>\n<h1>servemeter summary · " + text::html(c.model_preset) + "</h1>\n";
  if (const std::string b = simulated_banner(c); !b.empty())
    out += "<p class=\"banner\" id=\"simulated\">" + text::html(b) + "</p>\n";
  out +=
      "<nav><a href=\"#summary\">Summary</a><a href=\"#charts\">Charts</a><a "
      "href=\"#hypotheses\">Hypotheses</a><a href=\"#tables\">Tables</a><a "
      "href=\"#environment\">Environment</a><a href=\"#missing\">Missing data</a></nav>\n"
      "</header>\n<main>\n";

  out += "<section id=\"summary\">\n<h2>Summary</h2>\n<div class=\"verdicts\">\n";
  for (const auto& h : c.hypotheses)
    out += "<div class=\"verdict " + css_class(h.verdict) + "\"><b>" + text::html(h.id) + ": " +
           text::html(std::string(to_string(h.verdict))) + "</b>" + text::html(h.statement) +
           "</div>\n";
  out += "</div>\n<h3>Findings</h3>\n";
  list(out, c.findings);
  table(out, frameworks_table(c));
  out += "</section>\n";

  out += "<section id=\"charts\">\n<h2>Charts</h2>\n";
  for (const auto& [name, chart] : summary_charts(c)) {
    const RenderResult r = render_described_svg(chart, kChartWidth, kChartHeight);
    for (const auto& w : r.warnings) output.problems.push_back("chart " + name + ": " + w);
    if (!r.ok()) {
      output.problems.push_back("chart " + name + " was not drawn: " + r.error);
      continue;
    }
    out += "<figure id=\"chart-" + name + "\"><img src=\"data:image/svg+xml;base64," +
           base64(r.bytes) + "\" alt=\"" + text::html(chart.title) + "\" width=\"" +
           std::to_string(kChartWidth) + "\" height=\"" + std::to_string(kChartHeight) +
           "\"><figcaption>" + text::html(chart.title) + " — " + text::html(chart.subtitle) +
           "</figcaption></figure>\n";
  }
  out += "</section>\n";

  out +=
      "<section id=\"hypotheses\">\n<h2>Hypotheses</h2>\n<p>p-values are two-sided and "
      "Holm-corrected over the comparisons of each hypothesis (α = 0.05); "
      "docs/analysis.md defines each test, margin and rule.</p>\n";
  for (const auto& h : c.hypotheses) {
    out += "<h3>" + text::html(h.id + " · " + h.statement) + ": <span class=\"" +
           css_class(h.verdict) + "\">" + text::html(std::string(to_string(h.verdict))) +
           "</span></h3>\n<ul>\n<li>Data: " + inline_text(h.data) +
           ".</li>\n<li>Method: " + inline_text(h.method) +
           ".</li>\n<li>Verdict: " + inline_text(h.reason) + ".</li>\n";
    for (const auto& n : h.notes) out += "<li>" + inline_text(n) + "</li>\n";
    out += "</ul>\n";
    Table evidence = evidence_table(h);
    evidence.title.clear();
    table(out, evidence);
  }
  table(out, saturation_table(c), "h3");
  out += "</section>\n";

  out +=
      "<section id=\"tables\">\n<h2>Tables</h2>\n<p>Mean ± sample sd over trials; the best "
      "value of a row is highlighted; — means not measured.</p>\n";
  for (const auto& t : cell_tables(c)) table(out, t);
  for (const auto& t : prefix_cache_tables(c)) table(out, t);
  for (const auto& t : korean_tables(c)) table(out, t);
  out += "</section>\n";

  out += "<section id=\"environment\">\n<h2>Environment</h2>\n<ul>\n";
  const Environment& env = c.environment;
  std::string gpus, drivers;
  for (const auto& g : env.gpus) gpus += (gpus.empty() ? "" : ", ") + g;
  for (const auto& d : env.drivers) drivers += (drivers.empty() ? "" : ", ") + d;
  out += "<li>GPU: " + text::html(gpus.empty() ? env.gpu_note : gpus) + "</li>\n";
  out += "<li>Driver: " + text::html(drivers.empty() ? "not recorded" : drivers) + "</li>\n";
  out += "</ul>\n";
  table(out, environment_table(c));
  list(out, env.model_notes);
  out += "</section>\n";

  out += "<section id=\"missing\">\n<h2>Missing data</h2>\n";
  if (c.missing.empty() && c.skipped.empty() && c.problems.empty())
    out += "<p>Nothing is missing.</p>\n";
  list(out, c.missing);
  std::vector<std::string> skipped;
  for (const auto& s : c.skipped) skipped.push_back("skipped `" + s.file + "`: " + s.reason);
  list(out, skipped);
  list(out, c.problems);
  out +=
      "</section>\n</main>\n<footer>Derived by <code>servemeter analyze</code> from the raw "
      "per-request logs; the same files give the same page.</footer>\n</body>\n</html>\n";
  return out;
}

class HtmlReporter final : public Reporter {
 public:
  std::string_view format() const override { return "html"; }
  ReportOutput write(const Comparison& c, const std::filesystem::path& folder) const override {
    ReportOutput out;
    const std::string html = page(c, out);
    write_report_file(folder / "report.html", html, out);
    return out;
  }
};

}  // namespace

std::unique_ptr<Reporter> make_html_reporter() {
  return std::make_unique<HtmlReporter>();
}

}  // namespace servemeter
