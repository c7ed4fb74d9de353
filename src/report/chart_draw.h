#pragma once
// Lays out and draws a chart on any cairo surface (PNG and SVG share it).
#include <cairo.h>

#include <optional>
#include <string>
#include <vector>

#include "report/chart.h"

namespace servemeter {

// Draws `chart` over a width × height canvas. Returns an error message when the chart cannot be
// drawn as asked; appends warnings for what was drawn imperfectly.
std::optional<std::string> draw_chart(cairo_t* cr, const Chart& chart, double width, double height,
                                      std::vector<std::string>& warnings);

}  // namespace servemeter
