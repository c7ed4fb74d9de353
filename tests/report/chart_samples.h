#pragma once
// Charts shaped like the ones the report draws, with made-up numbers, for tests and for looking
// at the output (tests/report/render_chart_samples <folder>).
#include "report/chart.h"

namespace servemeter::samples {

Chart throughput_by_concurrency();   // log2 x, lines with error bars, one per framework
Chart percentiles_by_concurrency();  // colour per framework, dash per percentile, legend below
Chart ttft_by_input_length();        // grouped bars with error bars
Chart korean_vs_english_tokens();    // Korean title, categories and legend
Chart prefix_cache_ttft();           // scatter by request index with a grey control series
Chart gpu_memory();                  // one bar series

}  // namespace servemeter::samples
