#include "report/chart_data.h"

#include <algorithm>
#include <cmath>

#include "analysis/sample_summary.h"

namespace servemeter {
namespace {

std::vector<std::string> categories_of(const Chart& chart) {
  if (!chart.x_axis.categories.empty()) return chart.x_axis.categories;
  std::vector<std::string> found;
  for (const ChartSeries& s : chart.series)
    for (const ChartPoint& p : s.points)
      if (std::find(found.begin(), found.end(), p.category) == found.end())
        found.push_back(p.category);
  return found;
}

std::string where(const ChartSeries& s, std::size_t i) {
  return "series \"" + s.name + "\" point " + std::to_string(i);
}

}  // namespace

std::optional<std::string> place_data(const Chart& chart, PlacedData& placed,
                                      std::vector<std::string>& warnings) {
  const AxisScale scale = chart.x_axis.scale;
  if (scale == AxisScale::categorical) placed.categories = categories_of(chart);
  bool first = true;
  auto include = [&](double x, double y) {
    if (first) {
      placed.x_min = placed.x_max = x;
      placed.y_min = placed.y_max = y;
      first = false;
    }
    placed.x_min = std::min(placed.x_min, x);
    placed.x_max = std::max(placed.x_max, x);
    placed.y_min = std::min(placed.y_min, y);
    placed.y_max = std::max(placed.y_max, y);
  };

  for (std::size_t index = 0; index < chart.series.size(); ++index) {
    const ChartSeries& s = chart.series[index];
    if (s.style == SeriesStyle::bar && scale != AxisScale::categorical) {
      return "bar series \"" + s.name +
             "\" needs a categorical x axis; use a line or scatter series on a numeric axis";
    }
    PlacedSeries out;
    out.source = &s;
    out.colour = palette_colour(s.colour.value_or(index % kOkabeIto.size()));
    if (s.style == SeriesStyle::bar) out.bar_index = placed.bar_series++;
    for (std::size_t i = 0; i < s.points.size(); ++i) {
      const ChartPoint& p = s.points[i];
      PlacedPoint q;
      if (scale == AxisScale::categorical) {
        const auto it = std::find(placed.categories.begin(), placed.categories.end(), p.category);
        if (it == placed.categories.end()) {
          warnings.push_back(where(s, i) + " has category \"" + p.category +
                             "\", which is not among the x axis categories; left out");
          continue;
        }
        q.x = static_cast<double>(it - placed.categories.begin());
      } else if (!std::isfinite(p.x)) {
        warnings.push_back(where(s, i) + " has x = " + number_text(p.x) + "; left out");
        q.missing = true;
      } else if (scale == AxisScale::log2) {
        if (p.x <= 0) {
          warnings.push_back(where(s, i) + " has x = " + number_text(p.x) +
                             ", which a log2 axis cannot show; left out");
          q.missing = true;
        } else {
          q.x = std::log2(p.x);
        }
      } else {
        q.x = p.x;
      }
      if (!std::isfinite(p.y)) {
        warnings.push_back(where(s, i) + " has no value (y is not finite); left out");
        q.missing = true;
      }
      if (q.missing) {
        out.points.push_back(q);
        continue;
      }
      q.y = p.y;
      const auto finite = [](const std::optional<double>& v) { return v && std::isfinite(*v); };
      if (finite(p.y_err)) {
        q.low = p.y - std::fabs(*p.y_err);
        q.high = p.y + std::fabs(*p.y_err);
      }
      if (finite(p.y_low)) q.low = *p.y_low;
      if (finite(p.y_high)) q.high = *p.y_high;
      include(q.x, q.y);
      if (q.low) include(q.x, *q.low);
      if (q.high) include(q.x, *q.high);
      if (s.style == SeriesStyle::bar) include(q.x, 0);  // bars grow from 0
      placed.any_point = true;
      out.points.push_back(q);
    }
    placed.series.push_back(std::move(out));
  }
  return std::nullopt;
}

}  // namespace servemeter
