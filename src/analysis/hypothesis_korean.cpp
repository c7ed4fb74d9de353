// H5: Korean costs more tokens than English (every framework), and the cost differs per
// framework. Both halves read the Korean/English item pairs of korean_figures().
#include <map>

#include "analysis/comparison_tests.h"
#include "analysis/hypothesis_support.h"

namespace servemeter {
namespace {

constexpr const char* kCostPart = "Korean costs more tokens";
constexpr const char* kDiffPart = "the cost differs per framework";

// The first label (conc=1 in the scenario's order) of each framework with item pairs.
std::vector<const KoreanFigures*> first_per_framework(const Comparison& c) {
  std::vector<const KoreanFigures*> out;
  for (const auto& k : c.korean) {
    bool seen = false;
    for (const auto* o : out) seen = seen || o->framework == k.framework;
    if (!seen) out.push_back(&k);
  }
  return out;
}

HypothesisResult part_verdict(const std::vector<TestedComparison>& all, const char* part,
                              bool all_needed) {
  HypothesisResult h;
  for (const auto& t : all)
    if (t.part == part) h.comparisons.push_back(t);
  if (all_needed)
    hypothesis::all_must_meet(h, "");
  else
    hypothesis::any_may_meet(h, "");
  return h;
}

}  // namespace

HypothesisResult evaluate_h5(const Comparison& c) {
  HypothesisResult h;
  h.id = "H5";
  h.statement = "Korean costs more tokens than English, and this differs per framework";
  h.data =
      "korean_ko and korean_en at the same label (concurrency 1 first): for each item (the "
      "same prompt in both languages, paired by the requests' item), the server-counted input "
      "tokens of the Korean prompt ÷ those of the English one (medians over the item's "
      "successful requests)";
  h.method =
      "First half, per framework: one-sample t-test on the log ratios (geometric mean ratio "
      "with its 95% interval); holds when significant after Holm and the interval lies above "
      "1. Second half, per pair of frameworks: the item-by-item ratio of their ratios, the same "
      "test; differs when significant and the interval lies wholly beyond 1.05× (or 1/1.05). "
      "Holm over all of H5's comparisons (α = 0.05). Supported when the first half holds for "
      "every framework and the second for at least one pair; not supported when either half "
      "is ruled out; otherwise inconclusive. At least 3 item pairs are needed";
  const auto figures = first_per_framework(c);
  const ClaimSpec cost{"",
                       "Korean ÷ English input tokens",
                       "×",
                       Claim::at_least,
                       kH5CostMargin,
                       "Korean prompts cost more tokens than English ones"};
  const ClaimSpec diff{"",
                       "ratio of Korean/English ratios",
                       "×",
                       Claim::differs,
                       kH5DiffMargin,
                       "the Korean/English ratio differs between the frameworks by ≥ 5%"};
  if (figures.empty()) {
    ClaimSpec spec = cost;
    spec.what = "Korean ÷ English input tokens";
    auto t = unavailable_comparison(spec, "no framework has both korean_ko and korean_en runs");
    t.part = kCostPart;
    h.comparisons.push_back(t);
  }
  for (const auto* k : figures) {
    ClaimSpec spec = cost;
    spec.what = c.display_name(k->framework) + " (" + k->label + "): Korean ÷ English input tokens";
    std::vector<double> ratios;
    for (const auto& [item, r] : k->item_ratios) ratios.push_back(r);
    auto t = ratios.empty() ? unavailable_comparison(
                                  spec, k->note.empty() ? "no Korean/English pairs" : k->note)
                            : compare_ratios(spec, c.display_name(k->framework), ratios);
    t.part = kCostPart;
    h.comparisons.push_back(t);
  }
  if (figures.size() < 2) {
    ClaimSpec spec = diff;
    spec.what = "Korean/English ratio between frameworks";
    auto t = unavailable_comparison(
        spec, "fewer than two frameworks have Korean and English runs to compare");
    t.part = kDiffPart;
    h.comparisons.push_back(t);
  }
  for (std::size_t i = 0; i < figures.size(); ++i)
    for (std::size_t j = i + 1; j < figures.size(); ++j) {
      const KoreanFigures& a = *figures[i];
      const KoreanFigures& b = *figures[j];
      ClaimSpec spec = diff;
      spec.what = "Korean/English ratio: " + c.display_name(a.framework) + " ÷ " +
                  c.display_name(b.framework);
      std::map<std::uint32_t, double> rb(b.item_ratios.begin(), b.item_ratios.end());
      std::vector<double> ratios;
      for (const auto& [item, r] : a.item_ratios)
        if (const auto it = rb.find(item); it != rb.end() && it->second > 0)
          ratios.push_back(r / it->second);
      auto t = compare_ratios(
          spec, c.display_name(a.framework) + " ÷ " + c.display_name(b.framework), ratios);
      t.part = kDiffPart;
      h.comparisons.push_back(t);
    }
  judge(h.comparisons);
  const HypothesisResult first_part = part_verdict(h.comparisons, kCostPart, true);
  const HypothesisResult second_part = part_verdict(h.comparisons, kDiffPart, false);
  const Verdict first = first_part.verdict, second = second_part.verdict;
  if (first == Verdict::supported && second == Verdict::supported)
    h.verdict = Verdict::supported;
  else if (first == Verdict::not_supported || second == Verdict::not_supported)
    h.verdict = Verdict::not_supported;
  else
    h.verdict = Verdict::inconclusive;
  h.reason = std::string(kCostPart) + ": " + std::string(to_string(first)) + " — " +
             first_part.reason + "; " + kDiffPart + ": " + std::string(to_string(second)) + " — " +
             second_part.reason;
  return h;
}

}  // namespace servemeter
