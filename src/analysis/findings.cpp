// The findings in plain words, from the verdicts, the scenario tables and what is missing.
#include "analysis/comparison.h"
#include "analysis/hypothesis_support.h"

namespace servemeter {
namespace {

using hypothesis::number;

std::string ratio_sentence(const TestedComparison& t) {
  if (!t.ratio) return {};
  std::string s = t.what + " = " + number(t.ratio->value) + "×";
  if (t.exact)
    s += " (exact)";
  else if (t.ratio->ci_low && t.ratio->ci_high)
    s += " (95% CI " + number(*t.ratio->ci_low) + "–" + number(*t.ratio->ci_high) + "×)";
  return s;
}

std::string ms(const std::optional<Estimate>& e) {
  return e ? number(e->mean) + " ms" : std::string("n/a");
}

}  // namespace

std::vector<std::string> findings_of(const Comparison& c) {
  std::vector<std::string> out;
  if (c.frameworks.empty()) {
    out.push_back(
        "No results to compare: the results folder holds no readable results for "
        "any framework.");
    return out;
  }
  if (c.any_simulated)
    out.push_back(
        "SIMULATED: these results were measured against servemeter's simulator, not real "
        "servers. They show what the tool and its analysis do, not how the frameworks compare.");
  for (const auto& h : c.hypotheses) {
    std::string s = h.id + " (" + h.statement + ") is " + std::string(to_string(h.verdict)) + ".";
    std::string evidence;
    for (const auto& t : h.comparisons) {
      if (!t.decides || t.outcome == Outcome::unavailable) continue;
      const std::string r = ratio_sentence(t);
      if (!r.empty()) evidence += (evidence.empty() ? "" : "; ") + r;
    }
    if (!evidence.empty())
      s += " " + evidence + ".";
    else
      s += " " + h.reason + ".";
    out.push_back(s);
  }
  for (const auto& sat : c.saturation) {
    const std::string name = c.display_name(sat.framework);
    if (sat.concurrency)
      out.push_back(name + " saturates at " + number(*sat.concurrency, 1) + " concurrent client" +
                    (*sat.concurrency == 1 ? "" : "s") + ": " + sat.evidence + ".");
    else
      out.push_back(name + ": no saturation point among the concurrency levels measured (" +
                    sat.reason + ").");
  }
  for (const auto& p : c.prefix_cache) {
    if (!p.speedup || !p.rest_ttft) continue;
    std::string s = c.display_name(p.framework) + ": with a shared prefix, the first request " +
                    "takes " + ms(p.first_request_ttft) + " to its first token and the warm " +
                    "requests (6th onwards) " + ms(p.rest_ttft);
    if (p.control_ttft) s += ", against " + ms(p.control_ttft) + " with unique prompts";
    out.push_back(s + ".");
  }
  for (const auto& k : c.korean) {
    if (!k.ratio) continue;
    out.push_back(c.display_name(k.framework) + " (" + k.label + "): a Korean prompt costs " +
                  number(*k.ratio) + "× the input tokens of the same prompt in English" +
                  (k.ko.output_chars_per_token && k.en.output_chars_per_token
                       ? ", and generated Korean carries " +
                             number(k.ko.output_chars_per_token->mean) +
                             " characters per token against " +
                             number(k.en.output_chars_per_token->mean) + " in English"
                       : std::string()) +
                  ".");
  }
  if (!c.missing.empty() || !c.skipped.empty())
    out.push_back(std::to_string(c.missing.size()) + " gaps in the data and " +
                  std::to_string(c.skipped.size()) +
                  " skipped inputs are listed under \"Missing data\"; every figure above uses "
                  "only what was there.");
  return out;
}

}  // namespace servemeter
