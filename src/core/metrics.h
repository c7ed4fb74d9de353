#pragma once
// Per-request figures derived from a RequestRecord, as DESIGN.md defines them.
#include <optional>
#include <vector>

#include "core/request_record.h"

namespace servemeter {

std::optional<double> ttft_ms(const RequestRecord& r);
std::optional<double> ttfc_ms(const RequestRecord& r);
std::optional<double> e2el_ms(const RequestRecord& r);
// Latency from the intended send time (open loop; no coordinated omission).
std::optional<double> e2el_from_intended_ms(const RequestRecord& r);
std::optional<double> ttft_from_intended_ms(const RequestRecord& r);
std::optional<double> send_lag_ms(const RequestRecord& r);
// (E2EL − TTFT) / (output_tokens − 1), only when output_tokens > 1.
std::optional<double> tpot_ms(const RequestRecord& r);
// Gaps between consecutive token-bearing events.
std::vector<double> itl_ms(const RequestRecord& r);

}  // namespace servemeter
