#pragma once
// The summary's charts as chart models: throughput, TTFT and latency percentiles against
// concurrency; TTFT by input length; prefix-cache TTFT by request index with the control;
// Korean against English tokens and throughput; GPU memory per framework. Each framework keeps
// one colour in every chart. Simulated results say so in every subtitle.
#include <string>
#include <vector>

#include "analysis/comparison.h"
#include "report/chart.h"

namespace servemeter {

struct SummaryChart {
  std::string name;  // file stem: charts/<name>.png and .svg
  Chart chart;
};

inline constexpr int kChartWidth = 960, kChartHeight = 540;

std::vector<SummaryChart> summary_charts(const Comparison& comparison);

// The SVG of a chart with a <title> and a <desc> naming its series after the opening tag, so
// the file says what it shows to screen readers, tests and people reading the source.
RenderResult render_described_svg(const Chart& chart, int width, int height);

}  // namespace servemeter
