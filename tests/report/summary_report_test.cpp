// The reporters against the golden sample: each format's bytes as checked in (regenerate with
// SERVEMETER_UPDATE_GOLDEN=1 after an intended change, and read the diff), byte-identical
// re-runs, valid chart files naming their series, and the simulated label everywhere.
#include <gtest/gtest.h>

#include <cstdlib>

#include "report/summary_charts.h"
#include "report/summary_fixture.h"

namespace servemeter {
namespace {

namespace fs = std::filesystem;
using testing::copy_golden_results;
using testing::kGoldenDir;
using testing::read_file;
using testing::write_summary;

bool updating() {
  const char* v = std::getenv("SERVEMETER_UPDATE_GOLDEN");
  return v != nullptr && *v != '\0' && std::string(v) != "0";
}

// The page with each embedded chart replaced by its name: the charts' bytes depend on the
// installed fonts and are checked on their own.
std::string html_without_chart_bytes(const std::string& html) {
  // By hand: std::regex recurses per character and overflows the stack on 100 kB matches.
  static const std::string prefix = "data:image/svg+xml;base64,";
  std::string out;
  std::size_t copied = 0;
  for (std::size_t at = html.find(prefix); at != std::string::npos; at = html.find(prefix, at)) {
    at += prefix.size();
    out.append(html, copied, at - copied);
    out += "(chart)";
    while (at < html.size() && html[at] != '"') ++at;
    copied = at;
  }
  return out + html.substr(copied);
}

// The chart models as text: what each chart shows, independent of how it is drawn.
std::string charts_text(const Comparison& c) {
  std::string out;
  for (const auto& [name, chart] : summary_charts(c)) {
    out += "== " + name + "\n" + chart.title + "\n" + chart.subtitle +
           "\nx: " + chart.x_axis.label + " | y: " + chart.y_axis.label + "\n";
    for (const auto& s : chart.series) {
      out += "  " + s.name + ":";
      for (const auto& p : s.points) {
        char text[96];
        if (p.category.empty())
          std::snprintf(text, sizeof text, " (%g, %.4g", p.x, p.y);
        else
          std::snprintf(text, sizeof text, " (%s, %.4g", p.category.c_str(), p.y);
        out += text;
        if (p.y_low && p.y_high) {
          std::snprintf(text, sizeof text, " [%.4g, %.4g]", *p.y_low, *p.y_high);
          out += text;
        }
        out += ")";
      }
      out += "\n";
    }
  }
  return out;
}

void expect_golden(const std::string& name, const std::string& actual) {
  const fs::path expected = kGoldenDir / "expected" / name;
  if (updating()) {
    fs::create_directories(expected.parent_path());
    std::ofstream(expected, std::ios::binary) << actual;
    return;
  }
  ASSERT_TRUE(fs::exists(expected))
      << expected << " is missing; run with SERVEMETER_UPDATE_GOLDEN=1";
  const std::string want = read_file(expected);
  if (want == actual) return;
  // Point at the first difference rather than printing whole files.
  std::size_t at = 0;
  while (at < want.size() && at < actual.size() && want[at] == actual[at]) ++at;
  const std::size_t line =
      static_cast<std::size_t>(std::count(want.begin(), want.begin() + at, '\n')) + 1;
  ADD_FAILURE() << name << " differs from its golden file at line " << line
                << ":\n  expected: " << want.substr(at > 40 ? at - 40 : 0, 120)
                << "\n  actual:   " << actual.substr(at > 40 ? at - 40 : 0, 120);
}

class SummaryReport : public ::testing::Test {
 protected:
  void SetUp() override {
    results_ = copy_golden_results(dir_.path());
    summary_ = dir_ / "summary";
    written_ = write_summary(results_, summary_);
  }
  testsupport::TempDir dir_;
  fs::path results_, summary_;
  testing::Written written_;
};

TEST_F(SummaryReport, EveryReporterMatchesItsGoldenFile) {
  EXPECT_TRUE(written_.problems.empty()) << written_.problems.front();
  // The frameworks' entries are their results files (checked below); the analysis is golden.
  const auto all = nlohmann::json::parse(read_file(summary_ / "all_results.json"));
  expect_golden("all_results.analysis.json", all["analysis"].dump(2) + "\n");
  expect_golden("comparison.md", read_file(summary_ / "comparison.md"));
  expect_golden("analysis_report.md", read_file(summary_ / "analysis_report.md"));
  expect_golden("comparison.csv", read_file(summary_ / "comparison.csv"));
  expect_golden("report.html", html_without_chart_bytes(read_file(summary_ / "report.html")));
  expect_golden("charts.txt", charts_text(build_comparison(read_results_folder(results_))));
}

TEST_F(SummaryReport, TheSampleGivesTheVerdictsItWasBuiltFor) {
  const Comparison c = build_comparison(read_results_folder(results_));
  ASSERT_EQ(c.hypotheses.size(), 5u);
  EXPECT_EQ(c.hypotheses[0].verdict, Verdict::supported) << c.hypotheses[0].reason;      // cache
  EXPECT_EQ(c.hypotheses[1].verdict, Verdict::supported) << c.hypotheses[1].reason;      // serial
  EXPECT_EQ(c.hypotheses[2].verdict, Verdict::not_supported) << c.hypotheses[2].reason;  // slow
  EXPECT_EQ(c.hypotheses[3].verdict, Verdict::supported) << c.hypotheses[3].reason;      // queue
  EXPECT_EQ(c.hypotheses[4].verdict, Verdict::supported) << c.hypotheses[4].reason;      // 2.4×
  // The runbook file of llama.cpp is compared with what it has.
  ASSERT_TRUE(c.framework_index("llamacpp"));
  EXPECT_EQ(c.frameworks[*c.framework_index("llamacpp")].source, ResultsSource::runbook_results);
}

TEST_F(SummaryReport, RunningTwiceGivesByteIdenticalFiles) {
  // Again in the same folder (the results files now rewritten), and in a fresh copy.
  const testsupport::TempDir other;
  const fs::path again = dir_ / "summary-again";
  write_summary(results_, again);
  const fs::path fresh = other / "summary";
  write_summary(copy_golden_results(other.path()), fresh);
  std::size_t compared = 0;
  for (const auto& entry : fs::recursive_directory_iterator(summary_)) {
    if (!entry.is_regular_file()) continue;
    const fs::path relative = entry.path().lexically_relative(summary_);
    const std::string bytes = read_file(entry.path());
    EXPECT_EQ(bytes, read_file(again / relative)) << relative;
    EXPECT_EQ(bytes, read_file(fresh / relative)) << relative;
    ++compared;
  }
  EXPECT_EQ(compared, 5u + 2 * 9);  // json, 2 × md, html, csv; 9 charts in two formats
  // The raw logs' results files as `run` writes them, the same from either copy.
  EXPECT_EQ(read_file(results_ / "sglang/sglang_gpt-oss-20b_results.json"),
            read_file(other / "results/sglang/sglang_gpt-oss-20b_results.json"));
}

TEST_F(SummaryReport, ChartFilesAreValidAndNameTheirSeries) {
  const Comparison c = build_comparison(read_results_folder(results_));
  for (const auto& [name, chart] : summary_charts(c)) {
    const std::string png = read_file(summary_ / "charts" / (name + ".png"));
    ASSERT_GT(png.size(), 24u) << name;
    EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8)) << name;
    EXPECT_EQ(png.substr(12, 4), "IHDR") << name;
    const auto be32 = [&](std::size_t at) {
      return (static_cast<unsigned char>(png[at]) << 24) |
             (static_cast<unsigned char>(png[at + 1]) << 16) |
             (static_cast<unsigned char>(png[at + 2]) << 8) |
             static_cast<unsigned char>(png[at + 3]);
    };
    EXPECT_EQ(be32(16), kChartWidth) << name;
    EXPECT_EQ(be32(20), kChartHeight) << name;
    const std::string svg = read_file(summary_ / "charts" / (name + ".svg"));
    EXPECT_EQ(svg.rfind("<?xml", 0), 0u) << name;
    EXPECT_NE(svg.find("<svg"), std::string::npos) << name;
    EXPECT_NE(svg.find("</svg>"), std::string::npos) << name;
    const auto desc = svg.find("<desc>");
    ASSERT_NE(desc, std::string::npos) << name;
    const std::string description = svg.substr(desc, svg.find("</desc>") - desc);
    EXPECT_NE(description.find("SIMULATED"), std::string::npos) << name;
    EXPECT_FALSE(chart.series.empty()) << name;
    for (const auto& s : chart.series)
      EXPECT_NE(description.find(s.name), std::string::npos) << name << ": " << s.name;
  }
}

TEST_F(SummaryReport, SimulatedResultsAreLabelledInEveryOutput) {
  EXPECT_NE(read_file(summary_ / "comparison.md").find("**SIMULATED RESULTS:"), std::string::npos);
  EXPECT_NE(read_file(summary_ / "analysis_report.md").find("**SIMULATED RESULTS:"),
            std::string::npos);
  EXPECT_NE(read_file(summary_ / "report.html").find("id=\"simulated\""), std::string::npos);
  const auto all = nlohmann::json::parse(read_file(summary_ / "all_results.json"));
  EXPECT_EQ(all["analysis"]["simulated"], true);
  EXPECT_EQ(all["sglang_gpt-oss-20b"]["simulated"], true);
  const std::string csv = read_file(summary_ / "comparison.csv");
  EXPECT_EQ(csv.rfind("simulated,", 0), 0u);
  EXPECT_NE(csv.find("\ntrue,sglang,"), std::string::npos);
}

TEST_F(SummaryReport, AllResultsIsKeyedAsTheRunbookKeysIt) {
  const auto all = nlohmann::json::parse(read_file(summary_ / "all_results.json"));
  std::vector<std::string> keys;
  for (const auto& [key, value] : all.items()) keys.push_back(key);
  EXPECT_EQ(keys,
            (std::vector<std::string>{"analysis", "llamacpp_gpt-oss-20b", "ollama_gpt-oss-20b",
                                      "sglang_gpt-oss-20b", "vllm_gpt-oss-20b"}));
  // A framework's entry is its results file, byte for byte as JSON.
  EXPECT_EQ(all["vllm_gpt-oss-20b"],
            nlohmann::json::parse(read_file(results_ / "vllm/vllm_gpt-oss-20b_results.json")));
  EXPECT_EQ(all["analysis"]["hypotheses"].size(), 5u);
}

}  // namespace
}  // namespace servemeter
