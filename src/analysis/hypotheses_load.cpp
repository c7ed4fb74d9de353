// H2 (throughput under concurrency), H4 (degradation with concurrency) and the saturation
// points: all read the concurrent_load cells, one value per trial.
#include <algorithm>
#include <cmath>
#include <map>

#include "analysis/comparison_tests.h"
#include "analysis/hypothesis_support.h"
#include "analysis/saturation.h"
#include "analysis/scenario_names.h"

namespace servemeter {
namespace {

using hypothesis::concurrency_of;
using hypothesis::number;
using hypothesis::trial_values;

std::string level_text(double concurrency) {
  return std::to_string(static_cast<long long>(std::llround(concurrency)));
}

// A framework's concurrent_load columns by concurrency.
std::map<double, const CellColumn*> load_levels(const Comparison& c, std::size_t framework) {
  std::map<double, const CellColumn*> out;
  for (const auto* cell : c.cells_of(scenario_name::kConcurrentLoad)) {
    const auto level = concurrency_of(*cell);
    const CellColumn* column = cell->column(framework);
    if (level && column != nullptr && !out.contains(*level)) out[*level] = column;
  }
  return out;
}

// Mean latency at `level` ÷ at concurrency 1, per trial (trials paired by their position).
std::vector<double> growth_per_trial(const CellColumn& base, const CellColumn& top) {
  const auto& b = base.figures[static_cast<std::size_t>(Metric::latency_avg)];
  const auto& t = top.figures[static_cast<std::size_t>(Metric::latency_avg)];
  std::vector<double> out;
  if (!b || !t) return out;
  for (std::size_t i = 0; i < std::min(b->per_trial.size(), t->per_trial.size()); ++i)
    if (b->per_trial[i] > 0) out.push_back(t->per_trial[i] / b->per_trial[i]);
  return out;
}

}  // namespace

HypothesisResult evaluate_h2(const Comparison& c) {
  HypothesisResult h;
  h.id = "H2";
  h.statement = "SGLang/vLLM far exceed Ollama under concurrency";
  h.data =
      "concurrent_load at concurrency ≥ 16 (input 512, output 256): output throughput "
      "(generated tokens per second of the trial's window), one value per trial; SGLang and "
      "vLLM each against Ollama at every such level they share";
  h.method =
      "Welch's t on the per-trial throughputs (one value per trial, so at least 2 trials each "
      "are needed); effect: the ratio of mean throughputs with its 95% delta-method interval, "
      "and Hedges' g. \"Far exceed\" means at least 3× Ollama's throughput. Supported when every "
      "comparison is significant after Holm (α = 0.05 over H2's comparisons) with its interval "
      "at or above 3; not supported when any interval lies below 3; otherwise inconclusive";
  const auto o = c.framework_index("ollama");
  const ClaimSpec base{"",        "output throughput (tok/s)",
                       "tok/s",   Claim::at_least,
                       kH2Margin, "at least 3× Ollama's output throughput"};
  std::vector<std::size_t> fast;
  for (const char* name : {"sglang", "vllm"})
    if (const auto f = c.framework_index(name)) fast.push_back(*f);
  if (!o || fast.empty()) {
    ClaimSpec spec = base;
    spec.what = "throughput under concurrency: SGLang/vLLM ÷ Ollama";
    h.comparisons.push_back(unavailable_comparison(
        spec, !o ? "no Ollama results to compare" : "no SGLang or vLLM results to compare"));
  } else {
    const auto ollama_levels = load_levels(c, *o);
    for (const std::size_t f : fast) {
      const std::size_t before = h.comparisons.size();
      for (const auto& [level, column] : load_levels(c, f)) {
        if (level < 16) continue;
        ClaimSpec spec = base;
        spec.what = "conc=" + level_text(level) + ": throughput " + c.display_name(f) + " ÷ Ollama";
        const auto oc = ollama_levels.find(level);
        if (oc == ollama_levels.end()) {
          h.comparisons.push_back(
              unavailable_comparison(spec, "Ollama did not run concurrency " + level_text(level)));
          continue;
        }
        h.comparisons.push_back(compare_trials(
            spec, {c.display_name(f), trial_values(*column, Metric::output_throughput)},
            {"Ollama", trial_values(*oc->second, Metric::output_throughput)}));
      }
      if (h.comparisons.size() == before) {
        ClaimSpec spec = base;
        spec.what = "throughput " + c.display_name(f) + " ÷ Ollama";
        h.comparisons.push_back(unavailable_comparison(
            spec, c.display_name(f) + " has no concurrent_load run at concurrency ≥ 16"));
      }
    }
  }
  judge(h.comparisons);
  hypothesis::all_must_meet(h, "the 3× throughput lead");
  return h;
}

HypothesisResult evaluate_h4(const Comparison& c) {
  HypothesisResult h;
  h.id = "H4";
  h.statement = "Degradation with concurrency differs per framework";
  h.data =
      "concurrent_load: each framework's latency growth factor — mean end-to-end latency at the "
      "highest concurrency both frameworks of a pair ran ÷ at concurrency 1 — per trial (trials "
      "paired by position); every pair of frameworks";
  h.method =
      "Welch's t on the per-trial growth factors (at least 2 trials each); effect: the ratio of "
      "mean growth factors with its 95% interval, and Hedges' g. \"Differs\" means the growth "
      "factors differ by at least 1.5× either way. Supported when at least one pair differs "
      "significantly after Holm (α = 0.05 over H4's comparisons) with its interval wholly "
      "beyond 1.5× (or 1/1.5); not supported when every pair's interval lies within 1/1.5–1.5; "
      "otherwise inconclusive";
  const ClaimSpec base{"",        "latency growth factor (×)",
                       "×",       Claim::differs,
                       kH4Margin, "growth factors differ by at least 1.5× either way"};
  std::vector<std::pair<std::size_t, std::map<double, const CellColumn*>>> curves;
  for (std::size_t f = 0; f < c.frameworks.size(); ++f) {
    auto levels = load_levels(c, f);
    if (levels.contains(1.0) && levels.size() >= 2) {
      std::string curve;
      const auto& base_latency =
          levels[1.0]->figures[static_cast<std::size_t>(Metric::latency_avg)];
      for (const auto& [level, column] : levels) {
        const auto& l = column->figures[static_cast<std::size_t>(Metric::latency_avg)];
        if (!l || !base_latency || base_latency->mean <= 0) continue;
        curve += (curve.empty() ? "" : ", ") + level_text(level) + ": " +
                 number(l->mean / base_latency->mean) + "×";
      }
      h.notes.push_back(c.display_name(f) + " mean latency relative to concurrency 1 — " + curve);
      curves.emplace_back(f, std::move(levels));
    }
  }
  if (curves.size() < 2) {
    ClaimSpec spec = base;
    spec.what = "latency growth between frameworks";
    h.comparisons.push_back(unavailable_comparison(
        spec, "fewer than two frameworks have concurrent_load runs at concurrency 1 and above"));
  }
  for (std::size_t i = 0; i < curves.size(); ++i)
    for (std::size_t j = i + 1; j < curves.size(); ++j) {
      const auto& [fa, la] = curves[i];
      const auto& [fb, lb] = curves[j];
      double top = 0;
      for (const auto& [level, column] : la)
        if (level > 1 && lb.contains(level)) top = std::max(top, level);
      ClaimSpec spec = base;
      spec.what = "latency growth 1→" + level_text(top) + ": " + c.display_name(fa) + " ÷ " +
                  c.display_name(fb);
      if (top == 0) {
        h.comparisons.push_back(
            unavailable_comparison(spec, "no concurrency above 1 that both ran"));
        continue;
      }
      auto ga = growth_per_trial(*la.at(1.0), *la.at(top));
      auto gb = growth_per_trial(*lb.at(1.0), *lb.at(top));
      std::string na = c.display_name(fa), nb = c.display_name(fb);
      // The faster-degrading framework first, so the ratio reads "× more growth".
      double ma = 0, mb = 0;
      for (double g : ga) ma += g / static_cast<double>(ga.size());
      for (double g : gb) mb += g / static_cast<double>(gb.size());
      if (!ga.empty() && !gb.empty() && mb > ma) {
        std::swap(ga, gb);
        std::swap(na, nb);
      }
      spec.what = "latency growth 1→" + level_text(top) + ": " + na + " ÷ " + nb;
      h.comparisons.push_back(compare_trials(spec, {na, ga}, {nb, gb}));
    }
  judge(h.comparisons);
  hypothesis::any_may_meet(h, "a difference of 1.5× or more");
  return h;
}

std::vector<SaturationPoint> saturation_points(const Comparison& c) {
  std::vector<SaturationPoint> out;
  for (std::size_t f = 0; f < c.frameworks.size(); ++f) {
    const auto levels = load_levels(c, f);
    if (levels.empty()) continue;
    SaturationPoint s;
    s.framework = f;
    std::vector<LoadPoint> points;
    for (const auto& [level, column] : levels) {
      const auto& t = column->figures[static_cast<std::size_t>(Metric::output_throughput)];
      const auto& l = column->figures[static_cast<std::size_t>(Metric::latency_avg)];
      if (t && l && l->mean > 0) points.push_back({level, t->mean, l->mean});
    }
    const auto found = find_saturation(points, 0.10);
    if (found) {
      s.concurrency = found->concurrency;
      s.evidence = "output throughput " + std::string(found->throughput_growth >= 0 ? "+" : "") +
                   number(100 * found->throughput_growth, 2) + "% from " +
                   level_text(found->concurrency) + " to " + level_text(found->next_concurrency) +
                   " clients while mean latency rose " + number(100 * found->latency_growth, 2) +
                   "%";
    } else {
      s.reason = found.reason();
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace servemeter
