#include <cairo-svg.h>
#include <cairo.h>

#include <cctype>
#include <map>

#include "report/chart.h"
#include "report/chart_draw.h"
#include "results/atomic_file.h"

namespace servemeter {
namespace {

constexpr int kMinSide = 200, kMaxSide = 10000;

cairo_status_t append_bytes(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

std::optional<std::string> invalid_size(int width, int height) {
  if (width >= kMinSide && width <= kMaxSide && height >= kMinSide && height <= kMaxSide) {
    return std::nullopt;
  }
  return "chart size " + std::to_string(width) + "×" + std::to_string(height) + " px is outside " +
         std::to_string(kMinSide) + "–" + std::to_string(kMaxSide) + " px per side";
}

// Draws on `surface`, then lets `finish` write the bytes; reports cairo's own errors by name.
// cairo names the SVG page group after the surface's process-wide serial number
// (<g id="surface6">), which differs from one rendering to the next in the same process. Number
// these ids by first appearance instead, keeping references (#surfaceN) consistent.
std::string renumber_surface_ids(const std::string& svg) {
  static constexpr std::string_view kName = "surface";
  std::string out;
  out.reserve(svg.size());
  std::map<std::string, std::string> renamed;
  std::size_t copied = 0;
  for (std::size_t at = svg.find(kName); at != std::string::npos; at = svg.find(kName, at + 1)) {
    const bool is_id = at >= 4 && svg.compare(at - 4, 4, "id=\"") == 0;
    const bool is_reference = at >= 1 && svg[at - 1] == '#';
    std::size_t end = at + kName.size();
    while (end < svg.size() && std::isdigit(static_cast<unsigned char>(svg[end]))) ++end;
    if (!(is_id || is_reference) || end == at + kName.size()) continue;
    const std::string number = svg.substr(at + kName.size(), end - at - kName.size());
    auto [it, fresh] = renamed.try_emplace(number, std::to_string(renamed.size() + 1));
    out.append(svg, copied, at + kName.size() - copied);
    out += it->second;
    copied = end;
  }
  out.append(svg, copied, std::string::npos);
  return out;
}

template <class Finish>
RenderResult render_on(cairo_surface_t* surface, const Chart& chart, int width, int height,
                       Finish&& finish) {
  RenderResult result;
  cairo_t* cr = cairo_create(surface);
  if (auto error = draw_chart(cr, chart, width, height, result.warnings)) result.error = *error;
  if (result.error.empty() && cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
    result.error = std::string("drawing failed: ") + cairo_status_to_string(cairo_status(cr));
  }
  cairo_destroy(cr);
  if (result.error.empty()) finish(surface, result);
  cairo_surface_destroy(surface);
  if (!result.ok()) result.bytes.clear();
  return result;
}

RenderResult written(RenderResult result, const std::filesystem::path& path) {
  if (!result.ok()) return result;
  try {
    write_file_atomically(path, result.bytes);
  } catch (const OutputError& e) {
    result.error = e.what();
  }
  return result;
}

}  // namespace

RenderResult render_png(const Chart& chart, int width, int height) {
  if (auto error = invalid_size(width, height)) return RenderResult{{}, {}, *error};
  cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
  return render_on(surface, chart, width, height, [](cairo_surface_t* s, RenderResult& r) {
    // cairo's PNG writer adds no time or software chunks, so the bytes depend on pixels alone.
    const cairo_status_t status = cairo_surface_write_to_png_stream(s, append_bytes, &r.bytes);
    if (status != CAIRO_STATUS_SUCCESS) {
      r.error = std::string("PNG encoding failed: ") + cairo_status_to_string(status);
    }
  });
}

RenderResult render_svg(const Chart& chart, int width, int height) {
  if (auto error = invalid_size(width, height)) return RenderResult{{}, {}, *error};
  std::string bytes;
  cairo_surface_t* surface =
      cairo_svg_surface_create_for_stream(append_bytes, &bytes, width, height);
  cairo_svg_surface_restrict_to_version(surface, CAIRO_SVG_VERSION_1_1);
  cairo_svg_surface_set_document_unit(surface, CAIRO_SVG_UNIT_PX);
  RenderResult result =
      render_on(surface, chart, width, height, [](cairo_surface_t* s, RenderResult& r) {
        cairo_surface_finish(s);  // the document is written out on finish
        if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
          r.error =
              std::string("SVG output failed: ") + cairo_status_to_string(cairo_surface_status(s));
        }
      });
  if (result.ok()) result.bytes = renumber_surface_ids(bytes);
  return result;
}

RenderResult render_png(const Chart& chart, const std::filesystem::path& path, int width,
                        int height) {
  return written(render_png(chart, width, height), path);
}

RenderResult render_svg(const Chart& chart, const std::filesystem::path& path, int width,
                        int height) {
  return written(render_svg(chart, width, height), path);
}

}  // namespace servemeter
