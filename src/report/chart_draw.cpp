#include "report/chart_draw.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "report/chart_data.h"
#include "report/chart_layout.h"
#include "report/chart_text.h"

namespace servemeter {
namespace {

using namespace chart_style;

constexpr Rgb kGrid{0.90, 0.90, 0.90};
constexpr Rgb kAxis{0.27, 0.27, 0.27};
constexpr Rgb kErrorOnBar{0.13, 0.13, 0.13};
constexpr double kMarkerRadius = 3.5;

void set_colour(cairo_t* cr, const Rgb& c) {
  cairo_set_source_rgb(cr, c.r, c.g, c.b);
}

// A 1 px line on pixel centres, so PNGs show it sharp rather than smeared over two pixels.
double crisp(double v) {
  return std::floor(v) + 0.5;
}

void hline(cairo_t* cr, double x0, double x1, double y) {
  cairo_move_to(cr, x0, crisp(y));
  cairo_line_to(cr, x1, crisp(y));
  cairo_stroke(cr);
}

void vline(cairo_t* cr, double x, double y0, double y1) {
  cairo_move_to(cr, crisp(x), y0);
  cairo_line_to(cr, crisp(x), y1);
  cairo_stroke(cr);
}

void set_dash(cairo_t* cr, LineDash dash) {
  static constexpr double kDashed[] = {7, 4};
  static constexpr double kDotted[] = {0.5, 4};
  switch (dash) {
    case LineDash::solid:
      cairo_set_dash(cr, nullptr, 0, 0);
      cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
      break;
    case LineDash::dashed:
      cairo_set_dash(cr, kDashed, 2, 0);
      cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
      break;
    case LineDash::dotted:
      cairo_set_dash(cr, kDotted, 2, 0);
      cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
      break;
  }
}

void marker(cairo_t* cr, double x, double y, const Rgb& colour) {
  cairo_new_sub_path(cr);
  cairo_arc(cr, x, y, kMarkerRadius, 0, 2 * std::numbers::pi);
  set_colour(cr, colour);
  cairo_fill_preserve(cr);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_set_line_width(cr, 1);
  cairo_stroke(cr);
}

void error_bar(cairo_t* cr, double x, double y_low, double y_high, double cap) {
  cairo_move_to(cr, x, y_low);
  cairo_line_to(cr, x, y_high);
  cairo_move_to(cr, x - cap, y_low);
  cairo_line_to(cr, x + cap, y_low);
  cairo_move_to(cr, x - cap, y_high);
  cairo_line_to(cr, x + cap, y_high);
  cairo_stroke(cr);
}

struct BarGeometry {
  double group = 0, bar = 0;
};

BarGeometry bars_of(const ChartLayout& l, int bar_series) {
  BarGeometry g;
  if (bar_series == 0) return g;
  // Groups fill 80% of a slot; a lone series gets narrower bars than a slot-wide slab.
  g.group = std::min(0.8 * l.slot_width, 70.0 * bar_series);
  g.bar = g.group / bar_series;
  return g;
}

double bar_centre(const ChartLayout& l, const BarGeometry& g, const PlacedSeries& s, double x) {
  return l.x_to_px(x) - g.group / 2 + (s.bar_index + 0.5) * g.bar;
}

void draw_bars(cairo_t* cr, const ChartLayout& l, const PlacedData& data) {
  const BarGeometry g = bars_of(l, data.bar_series);
  const double base = l.y_to_px(std::clamp(0.0, l.y_ticks.min, l.y_ticks.max));
  for (const PlacedSeries& s : data.series) {
    if (s.bar_index < 0) continue;
    set_colour(cr, s.colour);
    for (const PlacedPoint& p : s.points) {
      if (p.missing) continue;
      const double centre = bar_centre(l, g, s, p.x);
      const double gap = std::min(1.5, g.bar * 0.1);  // white seam between neighbouring bars
      const double top = l.y_to_px(p.y);
      cairo_rectangle(cr, centre - g.bar / 2 + gap / 2, std::min(top, base), g.bar - gap,
                      std::fabs(base - top));
      cairo_fill(cr);
    }
  }
  cairo_set_line_width(cr, 1.25);
  set_colour(cr, kErrorOnBar);
  for (const PlacedSeries& s : data.series) {
    if (s.bar_index < 0) continue;
    for (const PlacedPoint& p : s.points) {
      if (p.missing || !(p.low || p.high)) continue;
      const double centre = bar_centre(l, g, s, p.x);
      error_bar(cr, centre, l.y_to_px(p.low.value_or(p.y)), l.y_to_px(p.high.value_or(p.y)),
                std::min(g.bar * 0.25, 6.0));
    }
  }
}

void draw_lines_and_markers(cairo_t* cr, const ChartLayout& l, const PlacedData& data) {
  for (const PlacedSeries& s : data.series) {
    if (s.bar_index >= 0) continue;
    const SeriesStyle style = s.source->style;
    set_colour(cr, s.colour);
    cairo_set_line_width(cr, 1.25);
    for (const PlacedPoint& p : s.points) {
      if (p.missing || !(p.low || p.high)) continue;
      error_bar(cr, l.x_to_px(p.x), l.y_to_px(p.low.value_or(p.y)), l.y_to_px(p.high.value_or(p.y)),
                4);
    }
    if (style == SeriesStyle::line) {
      cairo_set_line_width(cr, 2);
      cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
      set_dash(cr, s.source->dash);
      bool pen_down = false;
      for (const PlacedPoint& p : s.points) {
        if (p.missing) {
          pen_down = false;
          continue;
        }
        if (pen_down) {
          cairo_line_to(cr, l.x_to_px(p.x), l.y_to_px(p.y));
        } else {
          cairo_move_to(cr, l.x_to_px(p.x), l.y_to_px(p.y));
          pen_down = true;
        }
      }
      cairo_stroke(cr);
      set_dash(cr, LineDash::solid);
    }
    for (const PlacedPoint& p : s.points)
      if (!p.missing) marker(cr, l.x_to_px(p.x), l.y_to_px(p.y), s.colour);
  }
}

void draw_axes(cairo_t* cr, ChartText& text, const Chart& chart, const PlacedData& data,
               const ChartLayout& l) {
  const Rect& plot = l.plot;
  cairo_set_line_width(cr, 1);
  set_colour(cr, kAxis);
  vline(cr, plot.left, plot.top, plot.bottom + 0.5);
  hline(cr, plot.left, plot.right, plot.bottom);
  for (const Tick& t : l.y_ticks.ticks) {
    const double y = l.y_to_px(t.value);
    set_colour(cr, kAxis);
    hline(cr, plot.left - kTickLength, plot.left, y);
    text.draw(t.label, kTickLabel, plot.left - kTickLength - 3, y, 1, 0.5);
  }
  const double label_top = plot.bottom + kTickLength + 3;
  if (chart.x_axis.scale == AxisScale::categorical) {
    const TextStyle style = category_label_style(l.slot_width);
    for (std::size_t i = 0; i < data.categories.size(); ++i) {
      const double x = l.x_to_px(static_cast<double>(i));
      set_colour(cr, kAxis);
      vline(cr, x, plot.bottom, plot.bottom + kTickLength);
      text.draw(data.categories[i], style, x, label_top, 0.5, 0);
    }
  } else {
    for (const Tick& t : l.x_ticks.ticks) {
      const double x = l.x_to_px(t.value);
      set_colour(cr, kAxis);
      vline(cr, x, plot.bottom, plot.bottom + kTickLength);
      text.draw(t.label, kTickLabel, x, label_top, 0.5, 0);
    }
  }
  if (!chart.x_axis.label.empty()) {
    text.draw(chart.x_axis.label, kAxisLabel, (plot.left + plot.right) / 2, l.x_label_top, 0.5, 0);
  }
  if (!chart.y_axis.label.empty()) {
    text.draw(chart.y_axis.label, kAxisLabel, kPad, (plot.top + plot.bottom) / 2, 0, 0.5, true);
  }
}

void legend_swatch(cairo_t* cr, const PlacedSeries& s, double x, double y_mid) {
  switch (s.source->style) {
    case SeriesStyle::bar:
      set_colour(cr, s.colour);
      cairo_rectangle(cr, x + kSwatch / 2 - 6, y_mid - 6, 12, 12);
      cairo_fill(cr);
      break;
    case SeriesStyle::line:
      set_colour(cr, s.colour);
      cairo_set_line_width(cr, 2);
      set_dash(cr, s.source->dash);
      cairo_move_to(cr, x, y_mid);
      cairo_line_to(cr, x + kSwatch, y_mid);
      cairo_stroke(cr);
      set_dash(cr, LineDash::solid);
      marker(cr, x + kSwatch / 2, y_mid, s.colour);
      break;
    case SeriesStyle::scatter:
      marker(cr, x + kSwatch / 2, y_mid, s.colour);
      break;
  }
}

void draw_legend(cairo_t* cr, ChartText& text, const ChartLayout& l, double width) {
  const TextStyle style = legend_style(width);
  auto entry = [&](const LegendEntry& e, double x, double top) {
    const double mid = top + l.legend_row_height / 2;
    legend_swatch(cr, *e.series, x, mid);
    text.draw(e.series->source->name, style, x + kSwatch + 6, mid, 0, 0.5);
  };
  if (l.legend_right) {
    double top = l.legend_box.top;
    for (const LegendEntry& e : l.legend) {
      entry(e, l.legend_box.left, top);
      top += l.legend_row_height;
    }
    return;
  }
  // Column by column, so series given in groups (one framework's percentiles) stay together.
  const std::size_t rows = (l.legend.size() + l.legend_columns - 1) / l.legend_columns;
  for (std::size_t i = 0; i < l.legend.size(); ++i) {
    const double column = static_cast<double>(i / rows);
    const double row = static_cast<double>(i % rows);
    entry(l.legend[i], l.legend_box.left + column * l.legend_column_width,
          l.legend_box.top + row * l.legend_row_height);
  }
}

}  // namespace

std::optional<std::string> draw_chart(cairo_t* cr, const Chart& chart, double width, double height,
                                      std::vector<std::string>& warnings) {
  PlacedData data;
  if (auto error = place_data(chart, data, warnings)) return error;
  ChartText text(cr, warnings);
  const ChartLayout l = lay_out(chart, data, text, width, height);

  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);

  TextStyle title = kTitle, subtitle = kSubtitle;
  title.wrap_width = subtitle.wrap_width = width - 2 * kPad;
  if (!chart.title.empty()) text.draw(chart.title, title, kPad, kPad, 0, 0);
  if (!chart.subtitle.empty()) {
    text.draw(chart.subtitle, subtitle, kPad, kPad + (l.title_height > 0 ? l.title_height + 2 : 0),
              0, 0);
  }

  cairo_set_line_width(cr, 1);
  set_colour(cr, kGrid);
  for (const Tick& t : l.y_ticks.ticks) {
    if (t.value != l.y_ticks.min) hline(cr, l.plot.left, l.plot.right, l.y_to_px(t.value));
  }

  // Data, clipped to the plot with room for markers on its edges.
  cairo_save(cr);
  cairo_rectangle(cr, l.plot.left - 6, l.plot.top - 6, l.plot.width() + 12, l.plot.height() + 12);
  cairo_clip(cr);
  draw_bars(cr, l, data);
  if (l.y_ticks.min < 0 && l.y_ticks.max > 0) {
    cairo_set_line_width(cr, 1);
    set_colour(cr, kAxis);
    hline(cr, l.plot.left, l.plot.right, l.y_to_px(0));
  }
  draw_lines_and_markers(cr, l, data);
  cairo_restore(cr);

  draw_axes(cr, text, chart, data, l);
  draw_legend(cr, text, l, width);
  if (!data.any_point) {
    text.draw("no data", kNote, (l.plot.left + l.plot.right) / 2, (l.plot.top + l.plot.bottom) / 2,
              0.5, 0.5);
  }
  return std::nullopt;
}

}  // namespace servemeter
