#pragma once
// What the hypotheses share: values out of the comparison, and the rules that turn the outcomes
// of several comparisons into one verdict.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "analysis/comparison.h"
#include "analysis/hypotheses.h"

namespace servemeter::hypothesis {

// Successful measured requests of a cell that pass `keep`, one value each (NaN left out).
std::vector<double> request_values(const MeasuredCell& cell, double RequestRow::*field,
                                   const std::function<bool(const RequestRow&)>& keep = {});
// A figure's value in each trial of a column, in trial order (trials without it left out).
std::vector<double> trial_values(const CellColumn& column, Metric metric);
std::optional<double> concurrency_of(const ComparedCell& cell);
std::optional<double> input_tokens_of(const ComparedCell& cell);

// "supported" when every deciding comparison meets its claim, "not supported" when any fails,
// otherwise inconclusive. Sets the verdict and its reason.
void all_must_meet(HypothesisResult& h, const std::string& subject);
// "supported" when any deciding comparison meets its claim, "not supported" when all fail.
void any_may_meet(HypothesisResult& h, const std::string& subject);

// The comparisons' names and reasons in words, for a verdict's reason.
std::string describe(const std::vector<const TestedComparison*>& comparisons);
std::string number(double value, int digits = 3);  // 3 significant digits: "1.23", "452"

}  // namespace servemeter::hypothesis
