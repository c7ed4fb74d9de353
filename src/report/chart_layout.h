#pragma once
// Where everything goes: the plot rectangle, the axes' ticks and the legend's place, from the
// sizes of the texts around the plot.
#include <vector>

#include "report/chart.h"
#include "report/chart_data.h"
#include "report/chart_scale.h"
#include "report/chart_text.h"

namespace servemeter {

struct Rect {
  double left = 0, top = 0, right = 0, bottom = 0;
  double width() const { return right - left; }
  double height() const { return bottom - top; }
};

namespace chart_style {
inline constexpr double kPad = 16;  // canvas edge to anything
inline constexpr double kTickLength = 4;
inline constexpr double kNumericInset = 12;  // plot edge to the first/last x on numeric axes
inline constexpr double kSwatch = 24;        // legend sample width
inline const TextStyle kTitle{17, true, {0.10, 0.10, 0.10}, 0, false};
inline const TextStyle kSubtitle{12, false, {0.40, 0.40, 0.40}, 0, false};
inline const TextStyle kAxisLabel{12.5, false, {0.13, 0.13, 0.13}};
inline const TextStyle kTickLabel{11, false, {0.27, 0.27, 0.27}};
inline const TextStyle kLegend{11.5, false, {0.13, 0.13, 0.13}};
inline const TextStyle kNote{13, false, {0.55, 0.55, 0.55}};
}  // namespace chart_style

struct LegendEntry {
  const PlacedSeries* series = nullptr;
  double text_width = 0;
};

struct ChartLayout {
  Rect plot;
  double title_height = 0, subtitle_height = 0;
  AxisTicks x_ticks, y_ticks;  // x_ticks unused on categorical axes
  double slot_width = 0;       // categorical axes
  double x_label_top = 0;      // where the x axis label starts
  std::vector<LegendEntry> legend;
  bool legend_right = true;  // one column right of the plot; else a grid under it
  double legend_row_height = 0;
  std::size_t legend_columns = 1;
  double legend_column_width = 0;
  Rect legend_box;

  double x_to_px(double x) const;  // axis units → canvas
  double y_to_px(double y) const;
  AxisScale scale = AxisScale::linear;
};

// Category labels wrap to their slot.
TextStyle category_label_style(double slot_width);
// Legend entries are cut with "…" where the canvas is narrower than the name.
TextStyle legend_style(double canvas_width);

ChartLayout lay_out(const Chart& chart, const PlacedData& data, ChartText& text, double width,
                    double height);

}  // namespace servemeter
