#include "chart_samples.h"

#include <cmath>
#include <string>
#include <vector>

#include "report/chart_palette.h"

namespace servemeter::samples {
namespace {

const std::vector<std::string> kFrameworks{"vLLM", "SGLang", "Ollama", "llama.cpp"};
const std::vector<double> kConcurrency{1, 8, 16, 32, 64};

}  // namespace

Chart throughput_by_concurrency() {
  Chart c;
  c.title = "Output throughput vs concurrency";
  c.subtitle = "simulated servers · llama3.1-8b · mean of 3 trials, bars: 95% CI";
  c.x_axis = {"Concurrency (clients)", AxisScale::log2, {}};
  c.y_axis = {"Output throughput (tok/s)", true};
  const std::vector<double> ceiling{5200, 5600, 900, 1400};
  for (std::size_t f = 0; f < kFrameworks.size(); ++f) {
    ChartSeries s{kFrameworks[f], {}, SeriesStyle::line, f, LineDash::solid};
    for (double n : kConcurrency) {
      const double y = ceiling[f] * (1 - std::exp(-n / (4.0 + 6.0 * static_cast<double>(f % 2))));
      s.points.push_back({n, "", y, y * 0.04, {}, {}});
    }
    c.series.push_back(s);
  }
  return c;
}

Chart percentiles_by_concurrency() {
  Chart c;
  c.title = "TTFT percentiles vs concurrency";
  c.subtitle = "simulated servers · solid p50, dashed p90, dotted p99";
  c.x_axis = {"Concurrency (clients)", AxisScale::log2, {}};
  c.y_axis = {"Time to first token (ms)", true};
  const std::vector<std::pair<std::string, LineDash>> percentiles{
      {"p50", LineDash::solid}, {"p90", LineDash::dashed}, {"p99", LineDash::dotted}};
  for (std::size_t f = 0; f < 3; ++f) {
    for (std::size_t p = 0; p < percentiles.size(); ++p) {
      ChartSeries s{kFrameworks[f] + " " + percentiles[p].first,
                    {},
                    SeriesStyle::line,
                    f,
                    percentiles[p].second};
      for (double n : kConcurrency) {
        const double base = 40 + 25.0 * static_cast<double>(f * f);
        s.points.push_back(
            {n, "", base * (1 + 0.3 * static_cast<double>(p)) * (1 + n / 20), {}, {}, {}});
      }
      c.series.push_back(s);
    }
  }
  return c;
}

Chart ttft_by_input_length() {
  Chart c;
  c.title = "Time to first token by input length";
  c.subtitle = "simulated servers · concurrency 1 · mean ± sd over 10 requests";
  c.x_axis = {
      "Input length (tokens)", AxisScale::categorical, {"128", "512", "1024", "2048", "4096"}};
  c.y_axis = {"TTFT (ms)", true};
  for (std::size_t f = 0; f < kFrameworks.size(); ++f) {
    ChartSeries s{kFrameworks[f], {}, SeriesStyle::bar, f, LineDash::solid};
    double length = 128;
    for (const std::string& cat : c.x_axis.categories) {
      const double y = 18 + 0.035 * length * (1 + 0.5 * static_cast<double>(f));
      s.points.push_back({0, cat, y, y * 0.08, {}, {}});
      length *= cat == "128" ? 4 : 2;
    }
    c.series.push_back(s);
  }
  return c;
}

Chart korean_vs_english_tokens() {
  Chart c;
  c.title = "한국어와 영어 프롬프트의 입력 토큰 수";
  c.subtitle = "같은 의미의 프롬프트 · simulated servers";
  c.x_axis = {"프롬프트 종류",
              AxisScale::categorical,
              {"짧은 질문", "에세이", "기술 설명", "긴 글 요약 (~512 토큰)", "번역"}};
  c.y_axis = {"입력 토큰 (개)", true};
  const std::vector<double> english{24, 96, 140, 512, 60};
  ChartSeries en{"영어 (English)", {}, SeriesStyle::bar, 0, LineDash::solid};
  ChartSeries ko{"한국어 (Korean)", {}, SeriesStyle::bar, 3, LineDash::solid};
  for (std::size_t i = 0; i < english.size(); ++i) {
    en.points.push_back({0, c.x_axis.categories[i], english[i], {}, {}, {}});
    ko.points.push_back({0, c.x_axis.categories[i], english[i] * 1.9, {}, {}, {}});
  }
  c.series = {en, ko};
  return c;
}

Chart prefix_cache_ttft() {
  Chart c;
  c.title = "Prefix cache: TTFT by request";
  c.subtitle = "simulated servers · 2,048-token shared system prompt · control: no shared prefix";
  c.x_axis = {"Request index", AxisScale::linear, {}};
  c.y_axis = {"TTFT (ms)", true};
  ChartSeries cached{"SGLang (shared prefix)", {}, SeriesStyle::scatter, 1, LineDash::solid};
  ChartSeries control{
      "SGLang (control)", {}, SeriesStyle::scatter, kControlColour, LineDash::solid};
  for (int i = 1; i <= 50; ++i) {
    const double wobble = 4 * std::sin(i * 1.7);
    cached.points.push_back({static_cast<double>(i), "", i == 1 ? 310 : 38 + wobble, {}, {}, {}});
    control.points.push_back({static_cast<double>(i), "", 300 + 3 * wobble, {}, {}, {}});
  }
  c.series = {control, cached};
  return c;
}

Chart gpu_memory() {
  Chart c;
  c.title = "GPU memory in use during the run";
  c.subtitle = "peak over the run · NVML";
  c.x_axis = {"Framework", AxisScale::categorical, {}};
  c.y_axis = {"GPU memory (MiB)", true};
  ChartSeries s{"", {}, SeriesStyle::bar, 0, LineDash::solid};
  const std::vector<double> mib{71234, 69870, 14500, 12210};
  for (std::size_t f = 0; f < kFrameworks.size(); ++f)
    s.points.push_back({0, kFrameworks[f], mib[f], {}, {}, {}});
  c.series = {s};
  return c;
}

}  // namespace servemeter::samples
