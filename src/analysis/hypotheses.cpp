#include "analysis/hypotheses.h"

#include "analysis/comparison.h"
#include "analysis/hypothesis_support.h"
#include "analysis/statistical_tests.h"

namespace servemeter {
namespace {

using hypothesis::number;

std::string interval_text(double low, double high) {
  return "[" + number(low) + ", " + number(high) + "]";
}

void decide(TestedComparison& c) {
  if (!c.ratio) {
    c.outcome = Outcome::unavailable;
    return;
  }
  const double value = c.ratio->value;
  const double low = c.exact ? value : c.ratio->ci_low.value_or(value);
  const double high = c.exact ? value : c.ratio->ci_high.value_or(value);
  if (!c.exact && (!c.ratio->ci_low || !c.ratio->ci_high)) {
    c.outcome = Outcome::undecided;
    if (c.reason.empty()) c.reason = "the ratio " + number(value) + "× has no interval";
    return;
  }
  const bool significant = c.exact ? value != 1 : c.p_holm && *c.p_holm < kAlpha;
  const std::string ratio = number(value) + "× " + (c.exact ? "(exact)" : interval_text(low, high));
  const std::string p = !c.p_holm           ? std::string()
                        : *c.p_holm < 0.001 ? ", p(Holm) < 0.001"
                                            : ", p(Holm) = " + number(*c.p_holm, 2);
  const double m = c.margin;
  auto set = [&](Outcome o, std::string why) {
    c.outcome = o;
    if (!c.exact || o != Outcome::meets) c.reason = std::move(why);
  };
  switch (c.claim) {
    case Claim::at_least:
      if (significant && low >= m)
        set(Outcome::meets, "ratio " + ratio + " ≥ " + number(m) + p);
      else if (high < m)
        set(Outcome::fails, "ratio " + ratio + " is below " + number(m) + p);
      else if (!significant)
        set(Outcome::undecided, "not significant after Holm" + p + "; ratio " + ratio);
      else
        set(Outcome::undecided, "the interval of the ratio " + ratio + " includes " + number(m));
      return;
    case Claim::within:
      if (high <= m)
        set(Outcome::meets, "ratio " + ratio + " ≤ " + number(m) + p);
      else if (low > m)
        set(Outcome::fails, "ratio " + ratio + " is above " + number(m) + p);
      else
        set(Outcome::undecided, "the interval of the ratio " + ratio + " includes " + number(m));
      return;
    case Claim::differs: {
      const double inverse = 1 / m;
      if (significant && (low >= m || high <= inverse))
        set(Outcome::meets,
            "ratio " + ratio + " lies outside " + number(inverse) + "–" + number(m) + p);
      else if (low > inverse && high < m)
        set(Outcome::fails,
            "ratio " + ratio + " lies within " + number(inverse) + "–" + number(m) + p);
      else if (!significant)
        set(Outcome::undecided, "not significant after Holm" + p + "; ratio " + ratio);
      else
        set(Outcome::undecided, "the interval of the ratio " + ratio + " reaches into " +
                                    number(inverse) + "–" + number(m));
      return;
    }
  }
}

}  // namespace

std::string_view to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::supported:
      return "supported";
    case Verdict::not_supported:
      return "not supported";
    case Verdict::inconclusive:
      return "inconclusive";
  }
  return "?";
}

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::meets:
      return "meets";
    case Outcome::fails:
      return "fails";
    case Outcome::undecided:
      return "undecided";
    case Outcome::unavailable:
      return "not measurable";
  }
  return "?";
}

void judge(std::vector<TestedComparison>& comparisons) {
  std::vector<double> p;
  std::vector<TestedComparison*> tested;
  for (auto& c : comparisons)
    if (c.p_value) {
      p.push_back(*c.p_value);
      tested.push_back(&c);
    }
  if (const auto adjusted = holm_adjust(p))
    for (std::size_t i = 0; i < tested.size(); ++i) tested[i]->p_holm = (*adjusted)[i];
  for (auto& c : comparisons) decide(c);
}

std::vector<HypothesisResult> evaluate_hypotheses(const Comparison& comparison) {
  return {evaluate_h1(comparison), evaluate_h2(comparison), evaluate_h3(comparison),
          evaluate_h4(comparison), evaluate_h5(comparison)};
}

}  // namespace servemeter
