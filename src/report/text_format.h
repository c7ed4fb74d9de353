#pragma once
// Numbers and text as every reporter prints them: fixed decimals by magnitude (no locale, no
// exponent surprises), mean ± sd over trials, and escaping for Markdown, HTML and CSV.
#include <optional>
#include <string>
#include <string_view>

#include "analysis/estimate.h"

namespace servemeter::text {

// 1234.5 → "1234.5", 45.234 → "45.23", 0.1234 → "0.123"; NaN/inf → "—".
std::string number(double value);
// Shortest form for parameters: 1 → "1", 0.5 → "0.5", 20 → "20".
std::string compact(double value);
// The same with a number of decimals chosen by the caller.
std::string fixed(double value, int decimals);
// "45.2 ± 1.1" (n ≥ 2), "45.2" (one trial), "—" (not measured).
std::string estimate(const std::optional<Estimate>& e);
std::string optional_number(const std::optional<double>& v);
std::string p_value(double p);  // "< 0.001", "0.012", "0.53"

std::string markdown_cell(std::string_view text);  // | and newlines escaped
std::string html(std::string_view text);           // & < > " escaped
std::string csv_field(std::string_view text);      // quoted when it needs to be (RFC 4180)

}  // namespace servemeter::text
