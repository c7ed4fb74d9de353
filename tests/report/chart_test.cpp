#include "report/chart.h"

#include <cairo.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>

#include "chart_samples.h"
#include "report/chart_palette.h"

namespace servemeter {
namespace {

// A decoded PNG, read back with cairo's own PNG reader.
class Image {
 public:
  explicit Image(const std::string& png) {
    std::size_t offset = 0;
    struct Reader {
      const std::string* bytes;
      std::size_t* offset;
    } reader{&png, &offset};
    surface_ = cairo_image_surface_create_from_png_stream(
        [](void* closure, unsigned char* data, unsigned int length) {
          auto* r = static_cast<Reader*>(closure);
          if (*r->offset + length > r->bytes->size()) return CAIRO_STATUS_READ_ERROR;
          std::copy_n(r->bytes->data() + *r->offset, length, data);
          *r->offset += length;
          return CAIRO_STATUS_SUCCESS;
        },
        &reader);
    cairo_surface_flush(surface_);
  }
  ~Image() { cairo_surface_destroy(surface_); }
  Image(const Image&) = delete;
  Image& operator=(const Image&) = delete;

  bool ok() const { return cairo_surface_status(surface_) == CAIRO_STATUS_SUCCESS; }
  int width() const { return cairo_image_surface_get_width(surface_); }
  int height() const { return cairo_image_surface_get_height(surface_); }
  // 0xRRGGBB of a pixel (RGB24 or opaque ARGB32).
  unsigned pixel(int x, int y) const {
    const unsigned char* row =
        cairo_image_surface_get_data(surface_) + y * cairo_image_surface_get_stride(surface_);
    std::uint32_t value;
    std::memcpy(&value, row + 4 * x, 4);
    return value & 0xFFFFFF;
  }
  // Pixels of exactly `colour` inside the rectangle.
  int count(unsigned colour, int x0, int y0, int x1, int y1) const {
    int n = 0;
    for (int y = y0; y < y1; ++y)
      for (int x = x0; x < x1; ++x) n += pixel(x, y) == colour;
    return n;
  }
  // The longest vertical run of dark grey (axis) pixels in any column of the left half.
  int longest_dark_column() const {
    int best = 0;
    for (int x = 0; x < width() / 2; ++x) {
      int run = 0;
      for (int y = 0; y < height(); ++y) {
        const unsigned p = pixel(x, y);
        const unsigned r = p >> 16, g = (p >> 8) & 0xFF, b = p & 0xFF;
        run = (r == g && g == b && r < 110) ? run + 1 : 0;
        best = std::max(best, run);
      }
    }
    return best;
  }

 private:
  cairo_surface_t* surface_;
};

unsigned hex_of(const Rgb& c) {
  const auto byte = [](double v) { return static_cast<unsigned>(std::lround(v * 255)); };
  return byte(c.r) << 16 | byte(c.g) << 8 | byte(c.b);
}

bool is_png(const std::string& bytes) {
  return bytes.rfind("\x89PNG\r\n\x1a\n", 0) == 0;
}

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// How cairo writes a colour into SVG style attributes: rgb(0%,44.705882%,69.803922%).
std::string svg_colour(const Rgb& c) {
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(6);
  const auto percent = [](double v) { return std::round(v * 255) / 255 * 100; };
  out << "rgb(" << percent(c.r) << "%," << percent(c.g) << "%," << percent(c.b) << "%)";
  std::string s = out.str();
  // cairo trims trailing zeros ("0%" rather than "0.000000%").
  std::string trimmed;
  std::istringstream parts(s.substr(4, s.size() - 5));
  std::string part;
  while (std::getline(parts, part, ',')) {
    part.pop_back();  // '%'
    if (part.find('.') != std::string::npos) {
      part.erase(part.find_last_not_of('0') + 1);
      if (part.back() == '.') part.pop_back();
    }
    trimmed += (trimmed.empty() ? "" : ",") + part + "%";
  }
  return "rgb(" + trimmed + ")";
}

TEST(ChartPng, IsAPngOfTheRequestedSizeWithEverySeriesColour) {
  const Chart chart = samples::throughput_by_concurrency();
  const RenderResult r = render_png(chart, 900, 540);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_TRUE(r.warnings.empty()) << r.warnings.front();
  ASSERT_TRUE(is_png(r.bytes));
  const Image image(r.bytes);
  ASSERT_TRUE(image.ok());
  EXPECT_EQ(image.width(), 900);
  EXPECT_EQ(image.height(), 540);
  for (std::size_t i = 0; i < chart.series.size(); ++i) {
    // Marker interiors and line cores are painted in the exact series colour.
    EXPECT_GT(image.count(hex_of(kOkabeIto[i]), 0, 0, 900, 540), 40) << "series " << i;
  }
  EXPECT_GT(image.longest_dark_column(), 200);  // the y axis
}

TEST(ChartPng, GroupedBarsShowEachSeries) {
  const Chart chart = samples::ttft_by_input_length();
  const RenderResult r = render_png(chart, 800, 480);
  ASSERT_TRUE(r.ok()) << r.error;
  const Image image(r.bytes);
  ASSERT_TRUE(image.ok());
  for (std::size_t i = 0; i < chart.series.size(); ++i) {
    EXPECT_GT(image.count(hex_of(kOkabeIto[i]), 0, 0, 800, 480), 300) << "series " << i;
  }
}

TEST(ChartPng, ControlSeriesIsGrey) {
  const RenderResult r = render_png(samples::prefix_cache_ttft(), 800, 480);
  ASSERT_TRUE(r.ok()) << r.error;
  const Image image(r.bytes);
  EXPECT_GT(image.count(hex_of(kControlGrey), 0, 0, 800, 480), 100);
  EXPECT_GT(image.count(hex_of(kOkabeIto[1]), 0, 0, 800, 480), 100);
}

TEST(ChartSvg, IsWellFormedAndCarriesTheSeriesColours) {
  const Chart chart = samples::throughput_by_concurrency();
  const RenderResult r = render_svg(chart, 900, 540);
  ASSERT_TRUE(r.ok()) << r.error;
  const std::string& svg = r.bytes;
  EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
  EXPECT_NE(svg.find("<svg"), std::string::npos);
  EXPECT_NE(svg.find("width=\"900px\""), std::string::npos);
  EXPECT_NE(svg.find("height=\"540px\""), std::string::npos);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_EQ(occurrences(svg, "<g"), occurrences(svg, "</g>") + occurrences(svg, "<g/>"));
  // Text is drawn as glyph outlines, so look for the series' strokes and fills (lines, markers,
  // legend swatches) rather than their names.
  for (std::size_t i = 0; i < chart.series.size(); ++i) {
    const std::string colour = svg_colour(kOkabeIto[i]);
    EXPECT_GE(occurrences(svg, colour), 3u) << colour;
  }
}

TEST(ChartText, KoreanLabelsHaveGlyphs) {
  const RenderResult png = render_png(samples::korean_vs_english_tokens(), 800, 480);
  ASSERT_TRUE(png.ok()) << png.error;
  EXPECT_TRUE(png.warnings.empty()) << png.warnings.front();
  const RenderResult svg = render_svg(samples::korean_vs_english_tokens(), 800, 480);
  ASSERT_TRUE(svg.ok()) << svg.error;
  EXPECT_TRUE(svg.warnings.empty()) << svg.warnings.front();
}

TEST(ChartText, CharactersWithoutAnyGlyphAreReported) {
  Chart chart = samples::gpu_memory();
  chart.title = "Private use \xF3\xB0\x80\x80 here";  // U+F0000: no font draws it
  const RenderResult r = render_png(chart, 600, 400);
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("Private use"), std::string::npos) << r.warnings[0];
  EXPECT_NE(r.warnings[0].find("no installed font"), std::string::npos) << r.warnings[0];
}

TEST(ChartText, InvalidUtf8IsRepairedWithAWarning) {
  Chart chart = samples::gpu_memory();
  chart.x_axis.label = "bad \xC3 byte";
  const RenderResult r = render_svg(chart, 600, 400);
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("not valid UTF-8"), std::string::npos) << r.warnings[0];
}

TEST(ChartOutput, SameChartGivesIdenticalBytes) {
  for (const Chart& chart :
       {samples::percentiles_by_concurrency(), samples::korean_vs_english_tokens()}) {
    const RenderResult png1 = render_png(chart, 800, 500), png2 = render_png(chart, 800, 500);
    ASSERT_TRUE(png1.ok() && png2.ok());
    EXPECT_EQ(png1.bytes, png2.bytes);
    const RenderResult svg1 = render_svg(chart, 800, 500), svg2 = render_svg(chart, 800, 500);
    ASSERT_TRUE(svg1.ok() && svg2.ok());
    EXPECT_EQ(svg1.bytes, svg2.bytes);
  }
}

// Degenerate data must still give a chart with axes, never a crash or an empty file.
void expect_drawn_with_axes(const Chart& chart, const char* what) {
  const RenderResult png = render_png(chart, 600, 400);
  ASSERT_TRUE(png.ok()) << what << ": " << png.error;
  const Image image(png.bytes);
  ASSERT_TRUE(image.ok()) << what;
  EXPECT_GT(image.longest_dark_column(), 150) << what;
  const RenderResult svg = render_svg(chart, 600, 400);
  ASSERT_TRUE(svg.ok()) << what << ": " << svg.error;
  EXPECT_NE(svg.bytes.find("</svg>"), std::string::npos) << what;
}

TEST(ChartEdgeCases, EmptyNanZeroAndSinglePoints) {
  Chart empty;
  empty.title = "Nothing measured";
  expect_drawn_with_axes(empty, "no series");

  Chart no_points = samples::throughput_by_concurrency();
  for (ChartSeries& s : no_points.series) s.points.clear();
  expect_drawn_with_axes(no_points, "series without points");

  Chart zeros = samples::throughput_by_concurrency();
  for (ChartSeries& s : zeros.series)
    for (ChartPoint& p : s.points) p = {p.x, "", 0, 0.0, {}, {}};
  expect_drawn_with_axes(zeros, "all zero");

  Chart single;
  single.x_axis.label = "x";
  single.series.push_back(
      {"one", {{5, "", 3, {}, {}, {}}}, SeriesStyle::line, {}, LineDash::solid});
  expect_drawn_with_axes(single, "single point");

  Chart single_bar = samples::gpu_memory();
  single_bar.series[0].points.resize(1);
  single_bar.x_axis.categories.clear();
  expect_drawn_with_axes(single_bar, "single bar");
}

TEST(ChartEdgeCases, SmallestCanvasWithLongTextStillDraws) {
  Chart chart = samples::korean_vs_english_tokens();
  for (ChartSeries& s : chart.series) s.name += " — a very long legend entry that cannot fit";
  const RenderResult r = render_png(chart, 200, 200);
  ASSERT_TRUE(r.ok()) << r.error;
  const Image image(r.bytes);
  ASSERT_TRUE(image.ok());
  EXPECT_EQ(image.width(), 200);
  EXPECT_GT(image.count(hex_of(kOkabeIto[0]), 0, 0, 200, 200), 0);  // some bar is visible
}

TEST(ChartEdgeCases, MissingValuesAreLeftOutWithWarnings) {
  Chart chart = samples::throughput_by_concurrency();
  chart.series[0].points[2].y = std::numeric_limits<double>::quiet_NaN();
  chart.series[1].points[0].x = 0;  // a log2 axis cannot show 0
  Chart all_nan = chart;
  for (ChartSeries& s : all_nan.series)
    for (ChartPoint& p : s.points) p.y = std::numeric_limits<double>::quiet_NaN();

  const RenderResult r = render_png(chart, 700, 420);
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(r.warnings.size(), 2u);
  EXPECT_NE(r.warnings[0].find("\"vLLM\" point 2"), std::string::npos) << r.warnings[0];
  EXPECT_NE(r.warnings[1].find("log2"), std::string::npos) << r.warnings[1];
  expect_drawn_with_axes(all_nan, "all NaN");
}

TEST(ChartEdgeCases, UnknownCategoryIsLeftOut) {
  Chart chart = samples::ttft_by_input_length();
  chart.series[0].points[0].category = "8192";
  const RenderResult r = render_svg(chart, 700, 420);
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("\"8192\""), std::string::npos) << r.warnings[0];
}

TEST(ChartErrors, BarsNeedCategoriesAndSizesAreBounded) {
  Chart chart = samples::throughput_by_concurrency();
  chart.series[0].style = SeriesStyle::bar;
  const RenderResult bars = render_png(chart, 600, 400);
  EXPECT_FALSE(bars.ok());
  EXPECT_NE(bars.error.find("categorical"), std::string::npos) << bars.error;
  EXPECT_TRUE(bars.bytes.empty());
  const RenderResult tiny = render_svg(samples::gpu_memory(), 50, 400);
  EXPECT_FALSE(tiny.ok());
  EXPECT_NE(tiny.error.find("50×400"), std::string::npos) << tiny.error;
}

TEST(ChartOutput, WritesFilesAtomically) {
  const std::filesystem::path folder = std::filesystem::temp_directory_path() /
                                       ("servemeter_chart_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(folder);
  const RenderResult png = render_png(samples::gpu_memory(), folder / "gpu.png", 640, 400);
  ASSERT_TRUE(png.ok()) << png.error;
  std::ifstream in(folder / "gpu.png", std::ios::binary);
  const std::string written((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(written, png.bytes);
  const RenderResult svg = render_svg(samples::gpu_memory(), folder / "gpu.svg", 640, 400);
  ASSERT_TRUE(svg.ok()) << svg.error;
  EXPECT_EQ(std::filesystem::file_size(folder / "gpu.svg"), svg.bytes.size());
  const RenderResult bad =
      render_png(samples::gpu_memory(), folder / "gpu.png" / "inside-a-file.png", 640, 400);
  EXPECT_FALSE(bad.ok());
  EXPECT_FALSE(bad.error.empty());
  std::filesystem::remove_all(folder);
}

}  // namespace
}  // namespace servemeter
