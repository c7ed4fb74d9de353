#include "report/chart_layout.h"

#include <algorithm>
#include <cmath>

namespace servemeter {

using namespace chart_style;

double ChartLayout::x_to_px(double x) const {
  if (scale == AxisScale::categorical) return plot.left + (x + 0.5) * slot_width;
  const double inner = plot.width() - 2 * kNumericInset;
  return plot.left + kNumericInset + (x - x_ticks.min) / (x_ticks.max - x_ticks.min) * inner;
}

double ChartLayout::y_to_px(double y) const {
  return plot.bottom - (y - y_ticks.min) / (y_ticks.max - y_ticks.min) * plot.height();
}

namespace {

int clamp_ticks(double length, double spacing, int low, int high) {
  return std::clamp(static_cast<int>(std::lround(length / spacing)), low, high);
}

AxisTicks y_ticks_for(const Chart& chart, const PlacedData& data, double plot_height) {
  double low = data.any_point ? data.y_min : 0;
  double high = data.any_point ? data.y_max : 1;
  if (chart.y_axis.from_zero || data.bar_series > 0) {
    low = std::min(low, 0.0);
    high = std::max(high, 0.0);
  }
  return linear_ticks(low, high, clamp_ticks(plot_height, 55, 3, 8));
}

AxisTicks x_ticks_for(const Chart& chart, const PlacedData& data, double plot_width) {
  if (chart.x_axis.scale == AxisScale::log2) {
    const double low = data.any_point ? std::exp2(data.x_min) : 1;
    const double high = data.any_point ? std::exp2(data.x_max) : 64;
    return log2_ticks(low, high, clamp_ticks(plot_width, 45, 3, 16));
  }
  return linear_ticks(data.any_point ? data.x_min : 0, data.any_point ? data.x_max : 1,
                      clamp_ticks(plot_width, 100, 3, 10));
}

}  // namespace

TextStyle legend_style(double canvas_width) {
  TextStyle s = kLegend;
  s.max_width = std::max(canvas_width - 2 * kPad - kSwatch - 6, 20.0);
  return s;
}

TextStyle category_label_style(double slot_width) {
  TextStyle s = kTickLabel;
  s.wrap_width = std::max(slot_width - 6, 20.0);
  return s;
}

ChartLayout lay_out(const Chart& chart, const PlacedData& data, ChartText& text, double width,
                    double height) {
  ChartLayout l;
  l.scale = chart.x_axis.scale;

  // Title block.
  double top = kPad;
  TextStyle title = kTitle, subtitle = kSubtitle;
  title.wrap_width = subtitle.wrap_width = width - 2 * kPad;
  if (!chart.title.empty()) {
    l.title_height = text.measure(chart.title, title).height;
    top += l.title_height + 2;
  }
  if (!chart.subtitle.empty()) {
    l.subtitle_height = text.measure(chart.subtitle, subtitle).height;
    top += l.subtitle_height;
  }
  top += chart.title.empty() && chart.subtitle.empty() ? 10 : 18;

  // Legend: a column right of the plot when that takes under 30% of the width and fits the
  // height; else a grid of equal columns under the plot, so entries line up.
  double legend_text_width = 0;
  for (const PlacedSeries& s : data.series) {
    if (s.source->name.empty()) continue;
    const TextSize size = text.measure(s.source->name, legend_style(width));
    l.legend.push_back({&s, size.width});
    legend_text_width = std::max(legend_text_width, size.width);
    l.legend_row_height = std::max(l.legend_row_height, size.height + 5);
  }
  double right = width - kPad;
  double bottom_reserved = 0;
  if (!l.legend.empty()) {
    const double entries = static_cast<double>(l.legend.size());
    l.legend_column_width = kSwatch + 6 + legend_text_width;
    l.legend_right = l.legend_column_width <= 0.3 * width &&
                     entries * l.legend_row_height <= height - top - kPad - 40;
    if (l.legend_right) {
      right -= l.legend_column_width + 18;
      l.legend_box = {right + 18, top, width - kPad, top + l.legend_row_height * entries};
    } else {
      l.legend_column_width += 18;  // gap between columns
      const double available = width - 2 * kPad + 18;
      l.legend_columns = std::clamp<std::size_t>(
          static_cast<std::size_t>(available / l.legend_column_width), 1, l.legend.size());
      const std::size_t rows = (l.legend.size() + l.legend_columns - 1) / l.legend_columns;
      bottom_reserved = static_cast<double>(rows) * l.legend_row_height + 10;
      const double block = static_cast<double>(l.legend_columns) * l.legend_column_width - 18;
      const double left = std::max(kPad, (width - block) / 2);
      l.legend_box = {left, height - kPad - bottom_reserved + 10, left + block, height - kPad};
    }
  }

  const double tick_label_height = text.measure("0123456789", kTickLabel).height;
  const double x_label_height =
      chart.x_axis.label.empty() ? 0 : text.measure(chart.x_axis.label, kAxisLabel).height + 6;
  const double y_label_width =
      chart.y_axis.label.empty() ? 0 : text.measure(chart.y_axis.label, kAxisLabel).height + 8;

  // The y tick labels' width sets the left edge, which sets the plot width, which sets how
  // category labels wrap and so the bottom edge, which sets the y ticks: a few passes settle it.
  // A plot squeezed by huge labels keeps at least 20 px each way rather than turning inside out.
  double left = kPad + y_label_width + 40;
  double labels_height = tick_label_height;
  const auto plot_for = [&](double x_area) {
    const double l_right = std::max(right, left + 20);
    return Rect{left, top, l_right, std::max(height - kPad - bottom_reserved - x_area, top + 20)};
  };
  double x_area = labels_height + x_label_height + kTickLength + 8;
  for (int pass = 0; pass < 3; ++pass) {
    l.plot = plot_for(x_area);
    l.y_ticks = y_ticks_for(chart, data, l.plot.height());
    double widest = 0;
    for (const Tick& t : l.y_ticks.ticks)
      widest = std::max(widest, text.measure(t.label, kTickLabel).width);
    left = kPad + y_label_width + widest + kTickLength + 5;
    const double plot_width = std::max(right - left, 20.0);
    labels_height = tick_label_height;
    if (chart.x_axis.scale == AxisScale::categorical) {
      const double slots = static_cast<double>(std::max<std::size_t>(data.categories.size(), 1));
      l.slot_width = plot_width / slots;
      for (const std::string& c : data.categories)
        labels_height =
            std::max(labels_height, text.measure(c, category_label_style(l.slot_width)).height);
    } else {
      l.x_ticks = x_ticks_for(chart, data, plot_width);
    }
    x_area = labels_height + x_label_height + kTickLength + 8;
  }
  l.plot = plot_for(x_area);
  l.y_ticks = y_ticks_for(chart, data, l.plot.height());
  l.x_label_top = l.plot.bottom + kTickLength + 8 + labels_height;
  if (l.legend_right) l.legend_box.top = l.plot.top;
  return l;
}

}  // namespace servemeter
