#pragma once
// The chart's points checked and placed in axis units: x as value, log2 exponent or category
// slot; error bars as low/high; every point left out is named in a warning.
#include <optional>
#include <string>
#include <vector>

#include "report/chart.h"
#include "report/chart_palette.h"

namespace servemeter {

struct PlacedPoint {
  double x = 0;  // axis units
  double y = 0;
  std::optional<double> low, high;  // error bar ends
  bool missing = false;             // left out: a line breaks here
};

struct PlacedSeries {
  const ChartSeries* source = nullptr;
  Rgb colour{};
  std::vector<PlacedPoint> points;
  int bar_index = -1;  // position among the bar series (grouped bars), −1 if not a bar series
};

struct PlacedData {
  std::vector<std::string> categories;  // categorical axes
  std::vector<PlacedSeries> series;
  int bar_series = 0;
  bool any_point = false;
  double x_min = 0, x_max = 0, y_min = 0, y_max = 0;  // over drawn points and error bars
};

// Fails (returns the message) only for a chart that cannot be drawn as asked: bars on a
// non-categorical axis.
std::optional<std::string> place_data(const Chart& chart, PlacedData& placed,
                                      std::vector<std::string>& warnings);

}  // namespace servemeter
