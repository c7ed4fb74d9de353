// charts/*.png and charts/*.svg: every summary chart in both formats. A chart drawn with a
// warning (a character no installed font has, a point left out) is still written, and the
// warning is reported.
#include "report/report_files.h"
#include "report/summary_charts.h"
#include "results/atomic_file.h"

namespace servemeter {
namespace {

class ChartReporter final : public Reporter {
 public:
  std::string_view format() const override { return "charts"; }
  ReportOutput write(const Comparison& c, const std::filesystem::path& folder) const override {
    ReportOutput out;
    const auto charts = folder / "charts";
    try {
      ensure_writable_folder(charts);
    } catch (const OutputError& e) {
      out.problems.push_back(e.what());
      ++out.failed_writes;
      return out;
    }
    for (const auto& [name, chart] : summary_charts(c)) {
      for (const bool png : {true, false}) {
        const RenderResult r = png ? render_png(chart, kChartWidth, kChartHeight)
                                   : render_described_svg(chart, kChartWidth, kChartHeight);
        const std::string file = name + (png ? ".png" : ".svg");
        for (const auto& w : r.warnings) out.problems.push_back("chart " + file + ": " + w);
        if (!r.ok()) {
          out.problems.push_back("chart " + file + " was not drawn: " + r.error);
          continue;
        }
        write_report_file(charts / file, r.bytes, out);
      }
    }
    return out;
  }
};

}  // namespace

std::unique_ptr<Reporter> make_chart_reporter() {
  return std::make_unique<ChartReporter>();
}

}  // namespace servemeter
