#include "analysis/hypothesis_support.h"

#include <cmath>
#include <cstdio>

namespace servemeter::hypothesis {

std::vector<double> request_values(const MeasuredCell& cell, double RequestRow::*field,
                                   const std::function<bool(const RequestRow&)>& keep) {
  std::vector<double> out;
  for (const auto& r : cell.rows) {
    if (!r.ok || !std::isfinite(r.*field)) continue;
    if (keep && !keep(r)) continue;
    out.push_back(r.*field);
  }
  return out;
}

std::vector<double> trial_values(const CellColumn& column, Metric metric) {
  const auto& e = column.figures[static_cast<std::size_t>(metric)];
  return e ? e->per_trial : std::vector<double>{};
}

namespace {
std::optional<double> param_number(const ComparedCell& cell, const char* key) {
  const auto it = cell.params.find(key);
  if (it == cell.params.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}
}  // namespace

std::optional<double> concurrency_of(const ComparedCell& cell) {
  return param_number(cell, "concurrency");
}
std::optional<double> input_tokens_of(const ComparedCell& cell) {
  return param_number(cell, "input_tokens");
}

std::string number(double value, int digits) {
  if (!std::isfinite(value)) return "n/a";
  char text[64];
  const double magnitude = std::fabs(value);
  const int decimals =
      magnitude == 0
          ? 0
          : std::max(0, digits - 1 - static_cast<int>(std::floor(std::log10(magnitude))));
  std::snprintf(text, sizeof text, "%.*f", std::min(decimals, 6), value);
  return text;
}

std::string describe(const std::vector<const TestedComparison*>& comparisons) {
  std::string out;
  for (const auto* c : comparisons) {
    if (!out.empty()) out += "; ";
    out += c->what;
    if (!c->reason.empty()) out += " (" + c->reason + ")";
  }
  return out;
}

namespace {

struct Tally {
  std::vector<const TestedComparison*> meets, fails, undecided, unavailable;
};

Tally tally(const HypothesisResult& h) {
  Tally t;
  for (const auto& c : h.comparisons) {
    if (!c.decides) continue;
    switch (c.outcome) {
      case Outcome::meets:
        t.meets.push_back(&c);
        break;
      case Outcome::fails:
        t.fails.push_back(&c);
        break;
      case Outcome::undecided:
        t.undecided.push_back(&c);
        break;
      case Outcome::unavailable:
        t.unavailable.push_back(&c);
        break;
    }
  }
  return t;
}

}  // namespace

std::string with_subject(const std::string& subject, const std::string& text) {
  return subject.empty() ? text : subject + " " + text;
}

void all_must_meet(HypothesisResult& h, const std::string& subject) {
  const Tally t = tally(h);
  if (!t.fails.empty()) {
    h.verdict = Verdict::not_supported;
    h.reason = with_subject(subject, "fails in " + std::to_string(t.fails.size()) + " of " +
                                         std::to_string(t.meets.size() + t.fails.size() +
                                                        t.undecided.size() + t.unavailable.size()) +
                                         " comparisons: " + describe(t.fails));
    return;
  }
  if (!t.meets.empty() && t.undecided.empty() && t.unavailable.empty()) {
    h.verdict = Verdict::supported;
    h.reason =
        with_subject(subject, "holds in every comparison (" + std::to_string(t.meets.size()) + ")");
    return;
  }
  h.verdict = Verdict::inconclusive;
  if (t.meets.empty() && t.undecided.empty())
    h.reason = "no comparison could be made: " + describe(t.unavailable);
  else
    h.reason = "not decided by the data: " + describe(t.undecided) +
               (t.unavailable.empty() ? "" : "; not measurable: " + describe(t.unavailable));
}

void any_may_meet(HypothesisResult& h, const std::string& subject) {
  const Tally t = tally(h);
  if (!t.meets.empty()) {
    h.verdict = Verdict::supported;
    h.reason = with_subject(subject, "shows in " + std::to_string(t.meets.size()) + " of " +
                                         std::to_string(t.meets.size() + t.fails.size() +
                                                        t.undecided.size() + t.unavailable.size()) +
                                         " comparisons: " + describe(t.meets));
    return;
  }
  if (!t.fails.empty() && t.undecided.empty() && t.unavailable.empty()) {
    h.verdict = Verdict::not_supported;
    h.reason = with_subject(subject, "shows in no comparison: " + describe(t.fails));
    return;
  }
  h.verdict = Verdict::inconclusive;
  if (t.fails.empty() && t.undecided.empty())
    h.reason = "no comparison could be made: " + describe(t.unavailable);
  else
    h.reason = "not decided by the data: " + describe(t.undecided) +
               (t.unavailable.empty() ? "" : "; not measurable: " + describe(t.unavailable));
}

}  // namespace servemeter::hypothesis
