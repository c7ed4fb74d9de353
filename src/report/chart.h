#pragma once
// A chart as data (title, axes, series) and its rendering to PNG or SVG with cairo and pango.
// The same chart gives byte-identical files on every run: nothing time-dependent is written.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace servemeter {

enum class AxisScale {
  linear,
  log2,         // ticks at powers of two (concurrency 1, 2, 4, … 64); x must be > 0
  categorical,  // one slot per category, in the order of XAxis::categories
};

enum class SeriesStyle { line, bar, scatter };
enum class LineDash { solid, dashed, dotted };

struct ChartPoint {
  double x = 0;          // linear and log2 axes
  std::string category;  // categorical axes
  double y = 0;          // NaN or inf: missing (not drawn; a line breaks there, with a warning)
  std::optional<double> y_err;          // symmetric error bar y ± y_err
  std::optional<double> y_low, y_high;  // asymmetric bar (an interval); takes precedence
};

struct ChartSeries {
  std::string name;  // the legend entry; series with an empty name stay out of the legend
  std::vector<ChartPoint> points;
  SeriesStyle style = SeriesStyle::line;
  // Index into the Okabe–Ito palette (chart_palette.h); default: the series' position. Give
  // series of one framework one colour and tell percentiles apart with `dash`.
  std::optional<std::size_t> colour;
  LineDash dash = LineDash::solid;
};

struct XAxis {
  std::string label;  // with its unit: "Concurrency (clients)"
  AxisScale scale = AxisScale::linear;
  // Categorical: the slots in order. Empty: the categories in order of first appearance.
  std::vector<std::string> categories;
};

struct YAxis {
  std::string label;      // with its unit: "TTFT (ms)"
  bool from_zero = true;  // include 0 in the range (bars always start at 0)
};

struct Chart {
  std::string title;
  std::string subtitle;  // e.g. "simulated servers · mean of 3 trials, bars: 95% CI"
  XAxis x_axis;
  YAxis y_axis;
  std::vector<ChartSeries> series;
};

struct RenderResult {
  std::string bytes;  // the PNG or SVG document
  // Problems that did not stop the drawing: text with characters no installed font can show
  // (drawn as boxes), points left out (NaN, x ≤ 0 on a log axis, unknown category).
  std::vector<std::string> warnings;
  std::string error;  // non-empty: nothing usable was drawn or written
  bool ok() const { return error.empty(); }
};

// Width and height in pixels, 200 to 10,000 each. SVG documents are sized in px (CSS pixels).
RenderResult render_png(const Chart& chart, int width, int height);
RenderResult render_svg(const Chart& chart, int width, int height);
// Render and write `path` atomically (temporary file + rename).
RenderResult render_png(const Chart& chart, const std::filesystem::path& path, int width,
                        int height);
RenderResult render_svg(const Chart& chart, const std::filesystem::path& path, int width,
                        int height);

}  // namespace servemeter
