#pragma once
// The hypotheses of DESIGN.md confronted with the data, each with a verdict and its evidence:
//   H1 SGLang beats vLLM on shared-prefix workloads;
//   H2 SGLang/vLLM far exceed Ollama under concurrency;
//   H3 Ollama is competitive for single-request latency;
//   H4 degradation with concurrency differs per framework;
//   H5 Korean costs more tokens than English, and this differs per framework.
// docs/analysis.md defines the data, test, margin and rule of each. A verdict is "supported" or
// "not supported" only when the data decide it; too few samples, one trial where trials are
// needed, or an interval that straddles the margin give "inconclusive", with the reason.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace servemeter {

struct Comparison;

enum class Verdict { supported, not_supported, inconclusive };
std::string_view to_string(Verdict verdict);

// What one comparison says about its claim.
enum class Outcome {
  meets,        // the claim holds: the interval lies on the claimed side of the margin (and the
                // difference is significant after Holm where a difference is claimed)
  fails,        // the data rule the claim out: the interval lies on the other side
  undecided,    // the interval straddles the margin
  unavailable,  // no test: too few values, a missing framework or cell (reason says which)
};
std::string_view to_string(Outcome outcome);

// The claim about the ratio r = a/b (of medians, means or geometric means).
enum class Claim {
  at_least,  // r ≥ margin: a exceeds b by the margin
  within,    // r ≤ margin: a is no worse than margin × b (non-inferiority)
  differs,   // r ≥ margin or r ≤ 1/margin
};

struct Effect {
  std::string name;  // "ratio of medians (Hodges–Lehmann on log)", "Hedges' g", …
  double value = 0;
  std::optional<double> ci_low, ci_high;  // 95%
  std::string unit;                       // "×", "ms", ""
};

struct TestedComparison {
  std::string what;         // "warm TTFT: vLLM ÷ SGLang"
  std::string a, b;         // the two samples' names
  std::string metric;       // "TTFT (ms)"
  std::string sample_unit;  // "requests", "trials", "item pairs"
  std::size_t n_a = 0, n_b = 0;
  std::string centre;  // "median", "mean", "geometric mean"
  std::optional<double> centre_a, centre_b;
  std::string test;  // "Mann–Whitney U (exact)", "Welch's t", "one-sample t on log ratios"
  std::string statistic_name;
  std::optional<double> statistic, df;
  std::optional<double> p_value, p_holm;
  std::optional<Effect> ratio;  // judged against the margin
  std::optional<Effect> extra;  // a second effect size: Hodges–Lehmann shift, Hedges' g
  bool exact = false;           // no spread at all: the ratio is known exactly, no test needed
  Claim claim = Claim::at_least;
  double margin = 1;
  std::string criterion;  // the claim in words
  Outcome outcome = Outcome::unavailable;
  std::string reason;   // why unavailable or undecided
  bool decides = true;  // counts toward the verdict (context-only comparisons do not)
  std::string part;     // H5: which half of the hypothesis it tests
};

struct HypothesisResult {
  std::string id;         // H1…H5
  std::string statement;  // as DESIGN.md states it
  std::string data;       // which results it reads
  std::string method;     // test, margin and rule
  Verdict verdict = Verdict::inconclusive;
  std::string reason;  // the verdict in plain words
  std::vector<TestedComparison> comparisons;
  std::vector<std::string> notes;  // context: H4's growth factors per framework, …
};

inline constexpr double kAlpha = 0.05;          // family-wise, Holm within each hypothesis
inline constexpr double kH1Margin = 1.2;        // SGLang's warm TTFT at least 1.2× lower
inline constexpr double kH2Margin = 3.0;        // "far exceed": at least 3× the throughput
inline constexpr double kH3Margin = 1.25;       // "competitive": within 1.25× of the best
inline constexpr double kH4Margin = 1.5;        // growth factors differ by at least 1.5×
inline constexpr double kH5CostMargin = 1.0;    // Korean/English token ratio above 1
inline constexpr double kH5DiffMargin = 1.05;   // ratios differ across frameworks by ≥ 5%
inline constexpr std::size_t kMinRequests = 5;  // per sample, for per-request tests
inline constexpr std::size_t kMinTrials = 2;    // per sample, for per-trial tests
inline constexpr std::size_t kMinPairs = 3;     // Korean/English item pairs

std::vector<HypothesisResult> evaluate_hypotheses(const Comparison& comparison);

// Per hypothesis (hypotheses_*.cpp).
HypothesisResult evaluate_h1(const Comparison& comparison);
HypothesisResult evaluate_h2(const Comparison& comparison);
HypothesisResult evaluate_h3(const Comparison& comparison);
HypothesisResult evaluate_h4(const Comparison& comparison);
HypothesisResult evaluate_h5(const Comparison& comparison);

// Holm's correction over the comparisons that have a p-value, then each outcome from its claim.
void judge(std::vector<TestedComparison>& comparisons);

}  // namespace servemeter
