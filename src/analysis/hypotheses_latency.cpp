// H1 (shared prefixes: SGLang against vLLM) and H3 (Ollama's single-request latency): both
// compare latencies of single requests, so both test per-request values with Mann–Whitney U.
#include <algorithm>

#include "analysis/comparison_tests.h"
#include "analysis/hypothesis_support.h"
#include "analysis/scenario_names.h"

namespace servemeter {
namespace {

using hypothesis::request_values;

std::string missing_rows(const Comparison& c, std::size_t framework) {
  return "per-request values of " + c.display_name(framework) + " are missing (" +
         c.frameworks[framework].source_file + ")";
}

// Control ÷ warm TTFT of one framework: what the shared prefix saves (context, not deciding).
TestedComparison cache_speedup(const Comparison& c, std::size_t fw,
                               const std::vector<double>& warm) {
  const std::string name = c.display_name(fw);
  ClaimSpec spec{
      name + " cache speed-up: control TTFT ÷ warm TTFT", "TTFT (ms)", "ms", Claim::at_least, 1.0,
      "context: the cache makes warm requests faster"};
  const auto controls = c.cells_of(scenario_name::kPrefixCacheControl);
  const CellColumn* column = nullptr;
  for (const auto* cell : controls)
    if ((column = cell->column(fw)) != nullptr) break;
  TestedComparison t =
      column == nullptr
          ? unavailable_comparison(
                spec, "no " + std::string(scenario_name::kPrefixCacheControl) + " run for " + name)
      : !c.measured(*column).rows_available
          ? unavailable_comparison(spec, missing_rows(c, fw))
          : compare_requests(
                spec,
                {name + " control", request_values(c.measured(*column), &RequestRow::ttft_ms)},
                {name + " warm", warm});
  t.decides = false;
  return t;
}

}  // namespace

HypothesisResult evaluate_h1(const Comparison& c) {
  HypothesisResult h;
  h.id = "H1";
  h.statement = "SGLang beats vLLM on shared-prefix workloads";
  h.data =
      "prefix_cache: TTFT of the warm requests — items 5–49, the 6th to 50th question after the "
      "shared ~2,048-token system prompt — successful requests of every trial pooled, SGLang "
      "against vLLM; each framework's prefix_cache_control run (unique system prompts) for its "
      "cache speed-up";
  h.method =
      "Mann–Whitney U on per-request TTFT (skewed, so no normality is assumed); effect: the "
      "ratio vLLM ÷ SGLang as the Hodges–Lehmann median of pairwise ratios with its 95% "
      "interval. Supported when the difference is significant after Holm (α = 0.05 over H1's "
      "comparisons) and the whole interval lies at or above 1.2 (SGLang's warm TTFT at least "
      "1.2× lower); not supported when the interval lies below 1.2; otherwise inconclusive. "
      "The cache speed-ups (control ÷ warm TTFT) are context and do not decide";
  const ClaimSpec spec{"warm TTFT: vLLM ÷ SGLang",
                       "TTFT (ms)",
                       "ms",
                       Claim::at_least,
                       kH1Margin,
                       "SGLang's warm TTFT at least 1.2× lower than vLLM's"};
  const auto s = c.framework_index("sglang");
  const auto v = c.framework_index("vllm");
  const auto cells = c.cells_of(scenario_name::kPrefixCache);
  const ComparedCell* cell = nullptr;
  for (const auto* candidate : cells)
    if (s && v && candidate->column(*s) && candidate->column(*v)) {
      cell = candidate;
      break;
    }
  if (!s || !v) {
    h.comparisons.push_back(unavailable_comparison(
        spec, std::string("no ") + (!s ? "SGLang" : "vLLM") + " results to compare"));
  } else if (cell == nullptr) {
    h.comparisons.push_back(
        unavailable_comparison(spec, "SGLang and vLLM do not both have a prefix_cache run"));
  } else {
    const MeasuredCell& ms = c.measured(*cell->column(*s));
    const MeasuredCell& mv = c.measured(*cell->column(*v));
    const auto warm = [](const RequestRow& r) { return r.item >= kPrefixWarmFrom; };
    if (!ms.rows_available || !mv.rows_available) {
      h.comparisons.push_back(
          unavailable_comparison(spec, missing_rows(c, !ms.rows_available ? *s : *v)));
    } else {
      const auto warm_s = request_values(ms, &RequestRow::ttft_ms, warm);
      const auto warm_v = request_values(mv, &RequestRow::ttft_ms, warm);
      h.comparisons.push_back(
          compare_requests(spec, {"vLLM warm", warm_v}, {"SGLang warm", warm_s}));
      h.comparisons.push_back(cache_speedup(c, *s, warm_s));
      h.comparisons.push_back(cache_speedup(c, *v, warm_v));
    }
  }
  judge(h.comparisons);
  hypothesis::all_must_meet(h, "SGLang's warm TTFT lead over vLLM");
  return h;
}

HypothesisResult evaluate_h3(const Comparison& c) {
  HypothesisResult h;
  h.id = "H3";
  h.statement = "Ollama is competitive for single-request latency";
  h.data =
      "single_request (concurrency 1; input 128, 512, 1024 tokens): per-request TTFT and "
      "end-to-end latency of every successful measured request, trials pooled; Ollama against "
      "the framework with the lowest median in that cell";
  h.method =
      "Mann–Whitney U on per-request values; effect: the ratio Ollama ÷ best as the "
      "Hodges–Lehmann median of pairwise ratios with its 95% interval. \"Competitive\" means "
      "within 1.25× of the best (non-inferiority margin). Supported when every interval lies at "
      "or below 1.25; not supported when any lies wholly above 1.25; otherwise inconclusive. "
      "p-values (Holm over H3's comparisons) test for any difference and are shown for context";
  const auto o = c.framework_index("ollama");
  const auto cells = c.cells_of(scenario_name::kSingleRequest);
  const ClaimSpec base{
      "", "", "ms", Claim::within, kH3Margin, "Ollama within 1.25× of the best framework"};
  if (!o || cells.empty()) {
    ClaimSpec spec = base;
    spec.what = "single-request latency: Ollama ÷ best";
    h.comparisons.push_back(unavailable_comparison(
        spec, !o ? "no Ollama results to compare" : "no single_request results"));
  }
  for (const auto* cell : cells) {
    if (!o) break;
    const CellColumn* oc = cell->column(*o);
    for (const auto& [field, metric] : {std::pair{&RequestRow::ttft_ms, std::string("TTFT")},
                                        std::pair{&RequestRow::e2el_ms, std::string("latency")}}) {
      ClaimSpec spec = base;
      spec.metric = metric + " (ms)";
      spec.what = cell->label + ": " + metric + " Ollama ÷ best";
      if (oc == nullptr) {
        h.comparisons.push_back(unavailable_comparison(spec, "Ollama did not run " + cell->label));
        continue;
      }
      if (!c.measured(*oc).rows_available) {
        h.comparisons.push_back(unavailable_comparison(spec, missing_rows(c, *o)));
        continue;
      }
      // The best other framework: the lowest median among those with enough requests.
      std::optional<std::size_t> best;
      double best_median = 0;
      std::vector<double> best_values;
      for (const auto& col : cell->columns) {
        if (col.framework == *o || !c.measured(col).rows_available) continue;
        auto values = request_values(c.measured(col), field);
        if (values.size() < kMinRequests) continue;
        std::vector<double> sorted = values;
        std::sort(sorted.begin(), sorted.end());
        const double median = sorted[sorted.size() / 2];
        if (!best || median < best_median) {
          best = col.framework;
          best_median = median;
          best_values = std::move(values);
        }
      }
      if (!best) {
        h.comparisons.push_back(unavailable_comparison(
            spec, "no other framework has enough per-request values in " + cell->label));
        continue;
      }
      spec.what = cell->label + ": " + metric + " Ollama ÷ " + c.display_name(*best);
      h.comparisons.push_back(compare_requests(spec,
                                               {"Ollama", request_values(c.measured(*oc), field)},
                                               {c.display_name(*best), best_values}));
    }
  }
  judge(h.comparisons);
  hypothesis::all_must_meet(h, "Ollama's single-request competitiveness");
  return h;
}

}  // namespace servemeter
