#include "report/chart_text.h"

#include <numbers>

namespace servemeter {
namespace {

// Korean first: its Latin glyphs are fine, and one family for both keeps line heights even.
constexpr const char* kFontFamilies = "Noto Sans CJK KR, Noto Sans, DejaVu Sans, sans";

}  // namespace

ChartText::ChartText(cairo_t* cr, std::vector<std::string>& warnings)
    : cr_(cr), warnings_(warnings) {
  context_ = pango_cairo_create_context(cr_);
  // Unhinted outlines and metrics: the layout is the same on PNG and SVG surfaces and does not
  // depend on the machine's fontconfig hinting preferences.
  cairo_font_options_t* options = cairo_font_options_create();
  cairo_font_options_set_antialias(options, CAIRO_ANTIALIAS_GRAY);
  cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE);
  cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF);
  pango_cairo_context_set_font_options(context_, options);
  cairo_font_options_destroy(options);
  pango_cairo_context_set_resolution(context_, 96);
  layout_ = pango_layout_new(context_);
}

ChartText::~ChartText() {
  g_object_unref(layout_);
  g_object_unref(context_);
}

PangoLayout* ChartText::layout_for(std::string_view text, const TextStyle& style) {
  std::string valid(text);
  if (!g_utf8_validate(valid.data(), static_cast<gssize>(valid.size()), nullptr)) {
    gchar* fixed = g_utf8_make_valid(valid.data(), static_cast<gssize>(valid.size()));
    if (warned_.insert(valid).second) {
      warnings_.push_back("text \"" + std::string(fixed) +
                          "\" is not valid UTF-8; invalid bytes are drawn as U+FFFD");
    }
    valid = fixed;
    g_free(fixed);
  }
  PangoFontDescription* font = pango_font_description_from_string(kFontFamilies);
  pango_font_description_set_absolute_size(font, style.size_px * PANGO_SCALE);
  pango_font_description_set_weight(font, style.bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_layout_set_font_description(layout_, font);
  pango_font_description_free(font);
  if (style.wrap_width > 0) {
    pango_layout_set_width(layout_, static_cast<int>(style.wrap_width * PANGO_SCALE));
    pango_layout_set_wrap(layout_, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_alignment(layout_, style.centre_lines ? PANGO_ALIGN_CENTER : PANGO_ALIGN_LEFT);
    pango_layout_set_ellipsize(layout_, PANGO_ELLIPSIZE_NONE);
  } else if (style.max_width > 0) {
    pango_layout_set_width(layout_, static_cast<int>(style.max_width * PANGO_SCALE));
    pango_layout_set_ellipsize(layout_, PANGO_ELLIPSIZE_END);
    pango_layout_set_alignment(layout_, PANGO_ALIGN_LEFT);
  } else {
    pango_layout_set_width(layout_, -1);
    pango_layout_set_ellipsize(layout_, PANGO_ELLIPSIZE_NONE);
    pango_layout_set_alignment(layout_, PANGO_ALIGN_LEFT);
  }
  pango_layout_set_text(layout_, valid.data(), static_cast<int>(valid.size()));
  const int unknown = pango_layout_get_unknown_glyphs_count(layout_);
  if (unknown > 0 && warned_.insert(valid).second) {
    warnings_.push_back("text \"" + valid + "\" has " + std::to_string(unknown) +
                        " character(s) that no installed font can draw (shown as boxes); "
                        "install fonts-noto-cjk for Korean");
  }
  return layout_;
}

TextSize ChartText::measure(std::string_view text, const TextStyle& style) {
  PangoLayout* layout = layout_for(text, style);
  PangoRectangle logical;
  pango_layout_get_extents(layout, nullptr, &logical);
  return {static_cast<double>(logical.width) / PANGO_SCALE,
          static_cast<double>(logical.height) / PANGO_SCALE};
}

void ChartText::draw(std::string_view text, const TextStyle& style, double x, double y,
                     double align_x, double align_y, bool vertical) {
  PangoLayout* layout = layout_for(text, style);
  PangoRectangle logical;
  pango_layout_get_extents(layout, nullptr, &logical);
  const double lx = static_cast<double>(logical.x) / PANGO_SCALE;
  const double ly = static_cast<double>(logical.y) / PANGO_SCALE;
  const double w = static_cast<double>(logical.width) / PANGO_SCALE;
  const double h = static_cast<double>(logical.height) / PANGO_SCALE;
  cairo_save(cr_);
  cairo_set_source_rgb(cr_, style.colour.r, style.colour.g, style.colour.b);
  cairo_translate(cr_, x, y);
  if (vertical) {
    cairo_rotate(cr_, -std::numbers::pi / 2);
    // In the rotated frame the box's width runs up the page: align_y picks along it.
    cairo_move_to(cr_, -lx - (1 - align_y) * w, -ly - align_x * h);
  } else {
    cairo_move_to(cr_, -lx - align_x * w, -ly - align_y * h);
  }
  pango_cairo_update_layout(cr_, layout);
  pango_cairo_show_layout(cr_, layout);
  cairo_restore(cr_);
  pango_cairo_update_layout(cr_, layout);
}

}  // namespace servemeter
