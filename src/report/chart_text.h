#pragma once
// Text for charts through pango, so fonts fall back per character (Hangul from Noto Sans CJK,
// Latin from the same family or DejaVu). Records a warning for text that any character of has no
// glyph in the installed fonts, instead of silently drawing boxes.
#include <cairo.h>
#include <pango/pangocairo.h>

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "report/chart_palette.h"

namespace servemeter {

struct TextStyle {
  double size_px = 11;
  bool bold = false;
  Rgb colour{0.2, 0.2, 0.2};
  double wrap_width = 0;     // > 0: wrap at words (or characters) to this width
  bool centre_lines = true;  // wrapped lines centred (else left-aligned)
  double max_width = 0;      // > 0 (and no wrap_width): one line, cut with "…" beyond this width
};

struct TextSize {
  double width = 0, height = 0;
};

class ChartText {
 public:
  ChartText(cairo_t* cr, std::vector<std::string>& warnings);
  ~ChartText();
  ChartText(const ChartText&) = delete;
  ChartText& operator=(const ChartText&) = delete;

  TextSize measure(std::string_view text, const TextStyle& style);
  // Draws so that the point (x, y) sits at (align_x, align_y) of the text's box: 0 = left/top,
  // 0.5 = centre, 1 = right/bottom. `vertical`: rotated to read bottom-to-top (a y-axis label);
  // alignment then refers to the rotated box.
  void draw(std::string_view text, const TextStyle& style, double x, double y, double align_x,
            double align_y, bool vertical = false);

 private:
  PangoLayout* layout_for(std::string_view text, const TextStyle& style);

  cairo_t* cr_;
  std::vector<std::string>& warnings_;
  std::set<std::string> warned_;
  PangoContext* context_ = nullptr;
  PangoLayout* layout_ = nullptr;
};

}  // namespace servemeter
