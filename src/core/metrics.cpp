#include "core/metrics.h"

#include "core/clock.h"

namespace servemeter {
namespace {
std::optional<double> span_ms(std::int64_t from, std::int64_t to) {
  if (from == 0 || to == 0 || to < from) return std::nullopt;
  return ns_to_ms(to - from);
}
}  // namespace

std::optional<double> ttft_ms(const RequestRecord& r) {
  return span_ms(r.send_ns, r.first_token_ns);
}
std::optional<double> ttfc_ms(const RequestRecord& r) {
  return span_ms(r.send_ns, r.first_content_ns);
}
std::optional<double> e2el_ms(const RequestRecord& r) {
  return span_ms(r.send_ns, r.end_ns);
}
std::optional<double> e2el_from_intended_ms(const RequestRecord& r) {
  return span_ms(r.intended_send_ns, r.end_ns);
}
std::optional<double> ttft_from_intended_ms(const RequestRecord& r) {
  return span_ms(r.intended_send_ns, r.first_token_ns);
}
std::optional<double> send_lag_ms(const RequestRecord& r) {
  return span_ms(r.intended_send_ns, r.send_ns);
}

std::optional<double> tpot_ms(const RequestRecord& r) {
  const auto ttft = ttft_ms(r);
  const auto e2el = e2el_ms(r);
  if (!ttft || !e2el || r.output_tokens <= 1) return std::nullopt;
  return (*e2el - *ttft) / static_cast<double>(r.output_tokens - 1);
}

std::vector<double> itl_ms(const RequestRecord& r) {
  std::vector<double> gaps;
  if (r.token_event_ns.size() < 2) return gaps;
  gaps.reserve(r.token_event_ns.size() - 1);
  for (std::size_t i = 1; i < r.token_event_ns.size(); ++i)
    gaps.push_back(ns_to_ms(r.token_event_ns[i] - r.token_event_ns[i - 1]));
  return gaps;
}

}  // namespace servemeter
