#include "report/summary_charts.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "analysis/results_folder.h"
#include "analysis/scenario_names.h"
#include "report/text_format.h"

namespace servemeter {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::size_t colour_of(const Comparison& c, std::size_t framework) {
  const int rank = framework_rank(c.frameworks[framework].framework);
  if (rank < 4) return static_cast<std::size_t>(rank);
  return 4 + framework % 4;
}

std::string subtitle(const Comparison& c, const std::string& detail) {
  std::string s;
  if (c.any_simulated && c.simulated_frameworks.size() == c.frameworks.size()) {
    s += "SIMULATED servers (servemeter sim) · ";
  } else if (c.any_simulated) {
    std::string names;
    for (std::size_t f = 0; f < c.frameworks.size(); ++f)
      if (c.frameworks[f].simulated) names += (names.empty() ? "" : ", ") + c.display_name(f);
    s += "SIMULATED: " + names + " · ";
  }
  s += c.model_preset;
  if (!detail.empty()) s += " · " + detail;
  return s;
}

std::size_t max_trials(const Comparison& c, std::string_view scenario) {
  std::size_t n = 0;
  for (const auto* cell : c.cells_of(scenario))
    for (const auto& col : cell->columns) n = std::max(n, col.trials);
  return n;
}

std::string trials_detail(std::size_t trials, const char* what = "mean") {
  if (trials > 1)
    return std::string(what) + " of " + std::to_string(trials) + " trials, bars: 95% CI";
  return "one trial";
}

ChartPoint point(double x, const std::optional<Estimate>& e, bool bars = true) {
  ChartPoint p;
  p.x = x;
  p.y = e ? e->mean : kNaN;
  if (bars && e && e->ci_low && e->ci_high) {
    p.y_low = *e->ci_low;
    p.y_high = *e->ci_high;
  }
  return p;
}

ChartPoint category_point(const std::string& category, const std::optional<Estimate>& e) {
  ChartPoint p = point(0, e);
  p.category = category;
  return p;
}

// Series per framework of a figure against concurrency (concurrent_load).
Chart against_concurrency(const Comparison& c, const std::string& title, const std::string& y,
                          const std::vector<std::pair<Metric, LineDash>>& metrics,
                          const std::string& dash_legend) {
  Chart chart;
  chart.title = title;
  const std::size_t trials = max_trials(c, scenario_name::kConcurrentLoad);
  chart.subtitle =
      subtitle(c, (dash_legend.empty() ? "" : dash_legend + " · ") + trials_detail(trials));
  chart.x_axis = {"Concurrency (clients)", AxisScale::log2, {}};
  chart.y_axis = {y, true};
  for (std::size_t f = 0; f < c.frameworks.size(); ++f)
    for (std::size_t k = 0; k < metrics.size(); ++k) {
      const auto [metric, dash] = metrics[k];
      ChartSeries s;
      s.name = c.display_name(f) +
               (metrics.size() > 1
                    ? " " + std::string(metric_info(metric).label)
                                .substr(std::string(metric_info(metric).label).rfind(' ') + 1)
                    : "");
      s.colour = colour_of(c, f);
      s.dash = dash;
      for (const auto* cell : c.cells_of(scenario_name::kConcurrentLoad)) {
        const auto it = cell->params.find("concurrency");
        const CellColumn* col = cell->column(f);
        if (col == nullptr || it == cell->params.end() || !it->is_number()) continue;
        const auto& e = col->figures[static_cast<std::size_t>(metric)];
        if (e) s.points.push_back(point(it->get<double>(), e, k == 0));
      }
      std::sort(s.points.begin(), s.points.end(),
                [](const ChartPoint& a, const ChartPoint& b) { return a.x < b.x; });
      if (!s.points.empty()) chart.series.push_back(std::move(s));
    }
  return chart;
}

Chart ttft_by_input_length(const Comparison& c) {
  Chart chart;
  chart.title = "Time to first token by input length (concurrency 1)";
  std::map<double, std::vector<std::pair<std::size_t, std::optional<Estimate>>>> by_length;
  std::size_t trials = 0;
  for (const auto& cell : c.cells) {
    if (cell.scenario != scenario_name::kSingleRequest &&
        cell.scenario != scenario_name::kLongContext)
      continue;
    const auto conc = cell.params.find("concurrency");
    const auto in = cell.params.find("input_tokens");
    if (conc == cell.params.end() || !conc->is_number() || conc->get<double>() != 1) continue;
    if (in == cell.params.end() || !in->is_number()) continue;
    for (const auto& col : cell.columns) {
      trials = std::max(trials, col.trials);
      by_length[in->get<double>()].emplace_back(
          col.framework, col.figures[static_cast<std::size_t>(Metric::ttft_avg)]);
    }
  }
  chart.subtitle = subtitle(c, "single_request and long_context · " + trials_detail(trials));
  chart.x_axis = {"Input length (tokens)", AxisScale::categorical, {}};
  for (const auto& [length, values] : by_length)
    chart.x_axis.categories.push_back(text::fixed(length, 0));
  chart.y_axis = {"TTFT (ms)", true};
  for (std::size_t f = 0; f < c.frameworks.size(); ++f) {
    ChartSeries s{c.display_name(f), {}, SeriesStyle::bar, colour_of(c, f), LineDash::solid};
    for (const auto& [length, values] : by_length)
      for (const auto& [framework, e] : values)
        if (framework == f && e) s.points.push_back(category_point(text::fixed(length, 0), e));
    if (!s.points.empty()) chart.series.push_back(std::move(s));
  }
  return chart;
}

Chart prefix_cache_by_index(const Comparison& c) {
  Chart chart;
  chart.title = "Prefix cache: TTFT by request index";
  chart.subtitle = subtitle(c, "solid: shared system prompt, dashed: control (unique prompts) · " +
                                   trials_detail(max_trials(c, scenario_name::kPrefixCache)));
  chart.x_axis = {"Request index (send order)", AxisScale::linear, {}};
  chart.y_axis = {"TTFT (ms)", true};
  for (const auto& p : c.prefix_cache) {
    for (const bool control : {false, true}) {
      const auto& values = control ? p.control_ttft_by_index : p.ttft_by_index;
      if (values.empty()) continue;
      ChartSeries s;
      s.name = c.display_name(p.framework) + (control ? " control" : " shared prefix");
      s.colour = colour_of(c, p.framework);
      s.dash = control ? LineDash::dashed : LineDash::solid;
      for (std::size_t i = 0; i < values.size(); ++i) {
        if (!std::isfinite(values[i])) continue;  // no successful request at this index
        ChartPoint pt;
        pt.x = static_cast<double>(i + 1);
        pt.y = values[i];
        s.points.push_back(pt);
      }
      chart.series.push_back(std::move(s));
    }
  }
  return chart;
}

// Korean against English per framework, one figure of LanguageSide.
Chart korean_bars(const Comparison& c, const std::string& title, const std::string& y,
                  std::optional<Estimate> LanguageSide::*figure) {
  Chart chart;
  chart.title = title;
  std::size_t trials =
      std::max(max_trials(c, scenario_name::kKoreanKo), max_trials(c, scenario_name::kKoreanEn));
  std::string label;
  std::vector<const KoreanFigures*> shown;
  for (const auto& k : c.korean) {
    bool seen = false;
    for (const auto* s : shown) seen = seen || s->framework == k.framework;
    if (!seen) {
      shown.push_back(&k);
      if (label.empty()) label = k.label;
    }
  }
  chart.subtitle = subtitle(c, (label.empty() ? "" : label + " · ") + trials_detail(trials));
  chart.x_axis = {"Framework", AxisScale::categorical, {}};
  for (const auto* k : shown) chart.x_axis.categories.push_back(c.display_name(k->framework));
  chart.y_axis = {y, true};
  for (const bool korean : {true, false}) {
    ChartSeries s{korean ? "한국어 (Korean)" : "English",
                  {},
                  SeriesStyle::bar,
                  korean ? std::size_t{3} : std::size_t{0},
                  LineDash::solid};
    for (const auto* k : shown)
      if (const auto& e = (korean ? k->ko : k->en).*figure)
        s.points.push_back(category_point(c.display_name(k->framework), e));
    if (!s.points.empty()) chart.series.push_back(std::move(s));
  }
  return chart;
}

Chart gpu_memory(const Comparison& c) {
  Chart chart;
  chart.title = "GPU memory per framework (peak over its cells)";
  chart.x_axis = {"Framework", AxisScale::categorical, {}};
  chart.y_axis = {"GPU memory in use, peak (MiB)", true};
  std::string without;
  for (std::size_t f = 0; f < c.frameworks.size(); ++f) {
    std::optional<Estimate> peak;
    for (const auto& cell : c.cells)
      if (const CellColumn* col = cell.column(f)) {
        const auto& e = col->figures[static_cast<std::size_t>(Metric::gpu_memory_mb)];
        if (e && (!peak || e->mean > peak->mean)) peak = e;
      }
    if (!peak) {
      without += (without.empty() ? "" : ", ") + c.display_name(f);
      continue;
    }
    chart.x_axis.categories.push_back(c.display_name(f));
    ChartSeries s{c.display_name(f), {}, SeriesStyle::bar, colour_of(c, f), LineDash::solid};
    s.points.push_back(category_point(c.display_name(f), peak));
    chart.series.push_back(std::move(s));
  }
  chart.subtitle =
      subtitle(c, "the cell with the highest mean peak, bars: 95% CI" +
                      (without.empty() ? std::string() : " · no GPU telemetry: " + without));
  return chart;
}

std::string svg_escape(const std::string& s) {
  std::string out;
  for (char ch : s) {
    if (ch == '&')
      out += "&amp;";
    else if (ch == '<')
      out += "&lt;";
    else if (ch == '>')
      out += "&gt;";
    else
      out += ch;
  }
  return out;
}

}  // namespace

std::vector<SummaryChart> summary_charts(const Comparison& c) {
  std::vector<SummaryChart> out;
  out.push_back(
      {"throughput_vs_concurrency",
       against_concurrency(c, "Output throughput vs concurrency", "Output throughput (tok/s)",
                           {{Metric::output_throughput, LineDash::solid}}, "")});
  out.push_back({"ttft_percentiles_vs_concurrency",
                 against_concurrency(c, "TTFT percentiles vs concurrency", "TTFT (ms)",
                                     {{Metric::ttft_p50, LineDash::solid},
                                      {Metric::ttft_p95, LineDash::dashed},
                                      {Metric::ttft_p99, LineDash::dotted}},
                                     "solid p50, dashed p95, dotted p99")});
  out.push_back(
      {"latency_percentiles_vs_concurrency",
       against_concurrency(c, "End-to-end latency percentiles vs concurrency", "Latency (ms)",
                           {{Metric::latency_p50, LineDash::solid},
                            {Metric::latency_p95, LineDash::dashed},
                            {Metric::latency_p99, LineDash::dotted}},
                           "solid p50, dashed p95, dotted p99")});
  out.push_back({"ttft_by_input_length", ttft_by_input_length(c)});
  out.push_back({"prefix_cache_ttft_by_request", prefix_cache_by_index(c)});
  out.push_back({"korean_vs_english_tokens",
                 korean_bars(c, "Korean vs English: input tokens per request (한국어 / 영어)",
                             "Input tokens per request", &LanguageSide::input_tokens)});
  out.push_back({"korean_vs_english_throughput",
                 korean_bars(c, "Korean vs English: output throughput (한국어 / 영어)",
                             "Output throughput (tok/s)", &LanguageSide::output_throughput)});
  out.push_back(
      {"korean_vs_english_chars_per_s",
       korean_bars(c, "Korean vs English: generated characters per second",
                   "Output characters per second (chars/s)", &LanguageSide::output_chars_per_s)});
  out.push_back({"gpu_memory_by_framework", gpu_memory(c)});
  return out;
}

RenderResult render_described_svg(const Chart& chart, int width, int height) {
  RenderResult r = render_svg(chart, width, height);
  if (!r.ok()) return r;
  const std::size_t svg = r.bytes.find("<svg");
  const std::size_t end = svg == std::string::npos ? svg : r.bytes.find('>', svg);
  if (end == std::string::npos) return r;
  std::string series;
  for (const auto& s : chart.series)
    if (!s.name.empty()) series += (series.empty() ? "" : "; ") + s.name;
  const std::string meta = "\n<title>" + svg_escape(chart.title) + "</title>\n<desc>" +
                           svg_escape(chart.subtitle) + " | series: " + svg_escape(series) +
                           "</desc>";
  r.bytes.insert(end + 1, meta);
  return r;
}

}  // namespace servemeter
