// Writes every sample chart as PNG and SVG into a folder, for a person to look at:
//   build/release/tests/report/render_chart_samples /tmp/charts
#include <filesystem>
#include <iostream>
#include <utility>

#include "chart_samples.h"

int main(int argc, char** argv) {
  using namespace servemeter;
  if (argc != 2) {
    std::cerr << "usage: render_chart_samples <output folder>\n";
    return 2;
  }
  const std::filesystem::path folder = argv[1];
  std::filesystem::create_directories(folder);
  const std::pair<const char*, Chart> charts[] = {
      {"throughput", samples::throughput_by_concurrency()},
      {"percentiles", samples::percentiles_by_concurrency()},
      {"ttft_by_input", samples::ttft_by_input_length()},
      {"korean_tokens", samples::korean_vs_english_tokens()},
      {"prefix_cache", samples::prefix_cache_ttft()},
      {"gpu_memory", samples::gpu_memory()},
  };
  int failures = 0;
  for (const auto& [name, chart] : charts) {
    for (const RenderResult& r :
         {render_png(chart, folder / (std::string(name) + ".png"), 960, 560),
          render_svg(chart, folder / (std::string(name) + ".svg"), 960, 560)}) {
      if (!r.ok()) ++failures, std::cerr << name << ": " << r.error << "\n";
      for (const std::string& w : r.warnings) std::cerr << name << ": warning: " << w << "\n";
    }
  }
  std::cout << "wrote " << std::size(charts) * 2 - failures << " files to " << folder << "\n";
  return failures == 0 ? 0 : 1;
}
