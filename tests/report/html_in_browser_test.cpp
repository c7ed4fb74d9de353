// report.html in headless Chromium (Debian's `chromium`, installed by scripts/install-deps.sh):
// the page loads with no console message at all (Chromium writes each console message to
// stderr as ":CONSOLE" with --enable-logging=stderr; a control page proves the check sees
// them), references nothing outside itself, and a screenshot shows the charts (pixels of the
// frameworks' chart colours, which the page's own style does not use).
#include <cairo.h>
#include <gtest/gtest.h>

#include <cmath>

#include "report/summary_fixture.h"
#include "support/run_process.h"

namespace servemeter {
namespace {

namespace fs = std::filesystem;
using testing::read_file;

const char* const kChromium = "/usr/bin/chromium";

testsupport::ProcessResult chromium(const fs::path& profile, std::vector<std::string> args,
                                    const fs::path& page) {
  std::vector<std::string> argv{kChromium,
                                "--headless",
                                "--no-sandbox",
                                "--disable-gpu",
                                "--disable-background-networking",
                                "--disable-component-update",
                                "--disable-sync",
                                "--no-first-run",
                                "--user-data-dir=" + profile.string(),
                                "--enable-logging=stderr",
                                "--v=0"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("file://" + page.string());
  return testsupport::run_process(argv, 120);
}

std::vector<std::string> console_messages(const std::string& log) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < log.size()) {
    const std::size_t end = std::min(log.find('\n', start), log.size());
    const std::string line = log.substr(start, end - start);
    if (line.find(":CONSOLE") != std::string::npos || line.find("CONSOLE(") != std::string::npos)
      out.push_back(line);
    start = end + 1;
  }
  return out;
}

// src= and href= values that would make the page fetch something.
std::vector<std::string> external_references(const std::string& html) {
  std::vector<std::string> out;
  for (const std::string attribute : {" src=\"", " href=\""})
    for (std::size_t at = html.find(attribute); at != std::string::npos;
         at = html.find(attribute, at + 1)) {
      const std::size_t start = at + attribute.size();
      const std::string value =
          html.substr(start, std::min<std::size_t>(html.find('"', start) - start, 60));
      if (value.rfind("data:", 0) != 0 && value.rfind("#", 0) != 0) out.push_back(value);
    }
  return out;
}

// Pixels within a small distance of `rgb`.
std::size_t pixels_near(cairo_surface_t* image, unsigned rgb) {
  const int w = cairo_image_surface_get_width(image), h = cairo_image_surface_get_height(image);
  const int stride = cairo_image_surface_get_stride(image);
  const unsigned char* data = cairo_image_surface_get_data(image);
  const int r = (rgb >> 16) & 0xFF, g = (rgb >> 8) & 0xFF, b = rgb & 0xFF;
  std::size_t n = 0;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const auto* p = reinterpret_cast<const std::uint32_t*>(data + y * stride) + x;
      const int pr = (*p >> 16) & 0xFF, pg = (*p >> 8) & 0xFF, pb = *p & 0xFF;
      if (std::abs(pr - r) + std::abs(pg - g) + std::abs(pb - b) <= 24) ++n;
    }
  return n;
}

class HtmlInBrowser : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(kChromium))
        << "Chromium is needed to check report.html: run scripts/install-deps.sh (Debian "
           "package `chromium`)";
  }
  testsupport::TempDir dir_;
};

TEST_F(HtmlInBrowser, ReportLoadsWithoutConsoleMessagesAndShowsTheCharts) {
  const fs::path results = testing::copy_golden_results(dir_.path());
  const auto written = testing::write_summary(results, dir_ / "summary");
  ASSERT_TRUE(written.problems.empty()) << written.problems.front();
  const fs::path page = dir_ / "summary" / "report.html";
  const std::string html = read_file(page);
  EXPECT_TRUE(external_references(html).empty()) << external_references(html).front();
  EXPECT_EQ(html.find("<script"), std::string::npos);

  const auto dom = chromium(dir_ / "profile-dom", {"--dump-dom"}, page);
  ASSERT_EQ(dom.exit_code, 0) << dom.err;
  EXPECT_TRUE(console_messages(dom.err).empty()) << console_messages(dom.err).front();
  std::size_t figures = 0;
  for (std::size_t at = dom.out.find("<figure id=\"chart-"); at != std::string::npos;
       at = dom.out.find("<figure id=\"chart-", at + 1))
    ++figures;
  EXPECT_EQ(figures, 9u);
  EXPECT_NE(dom.out.find("H1: supported"), std::string::npos);

  const fs::path shot = dir_ / "report.png";
  const auto screenshot = chromium(
      dir_ / "profile-shot", {"--window-size=1280,7000", "--screenshot=" + shot.string()}, page);
  ASSERT_EQ(screenshot.exit_code, 0) << screenshot.err;
  EXPECT_TRUE(console_messages(screenshot.err).empty()) << console_messages(screenshot.err).front();
  if (const char* keep = std::getenv("SERVEMETER_KEEP_SCREENSHOT"))
    fs::copy_file(shot, keep, fs::copy_options::overwrite_existing);
  cairo_surface_t* image = cairo_image_surface_create_from_png(shot.c_str());
  ASSERT_EQ(cairo_surface_status(image), CAIRO_STATUS_SUCCESS) << "not a PNG: " << shot;
  EXPECT_EQ(cairo_image_surface_get_width(image), 1280);
  // SGLang blue, vLLM orange, Ollama green: the charts' lines, bars and legends.
  EXPECT_GT(pixels_near(image, 0x0072B2), 2000u);
  EXPECT_GT(pixels_near(image, 0xE69F00), 2000u);
  EXPECT_GT(pixels_near(image, 0x009E73), 2000u);
  cairo_surface_destroy(image);
}

TEST_F(HtmlInBrowser, TheConsoleCheckSeesAConsoleError) {
  const fs::path page = dir_ / "control.html";
  std::ofstream(page) << "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><link rel=\"icon\" "
                         "href=\"data:,\"></head><body><script>console.error('control "
                         "error')</script></body></html>";
  const auto run = chromium(dir_ / "profile", {"--dump-dom"}, page);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto messages = console_messages(run.err);
  ASSERT_EQ(messages.size(), 1u) << run.err;
  EXPECT_NE(messages[0].find("control error"), std::string::npos);
}

}  // namespace
}  // namespace servemeter
