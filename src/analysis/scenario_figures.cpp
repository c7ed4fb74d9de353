#include "analysis/scenario_figures.h"

#include <cmath>
#include <map>

#include "analysis/effect_sizes.h"
#include "core/statistics.h"

namespace servemeter {
namespace {

using nlohmann::json;

json number_or_null(double v) {
  return std::isfinite(v) ? json(v) : json(nullptr);
}

double mean(const std::vector<double>& v) {
  if (v.empty()) return std::nan("");
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

// TTFTs of successful requests by position in their trial (0 = first sent after the flush).
std::map<int, std::vector<double>> ttft_by_position(const CellDigest& cell) {
  std::map<int, std::vector<double>> by_position;
  std::map<int, int> position_in_trial;
  for (const RequestRow& row : cell.rows) {  // rows are in id (send) order
    const int position = position_in_trial[row.trial]++;
    if (row.ok && std::isfinite(row.ttft_ms)) by_position[position].push_back(row.ttft_ms);
  }
  return by_position;
}

std::vector<double> ttfts_from(const CellDigest& cell, int first_position) {
  std::vector<double> out;
  for (const auto& [position, values] : ttft_by_position(cell))
    if (position >= first_position) out.insert(out.end(), values.begin(), values.end());
  return out;
}

const CellDigest* find_cell(const FrameworkLog& log, const std::string& scenario,
                            const std::string& label = {}) {
  for (const auto& c : log.cells)
    if (c.info.scenario == scenario && (label.empty() || c.info.cell == label)) return &c;
  return nullptr;
}

json hit_rates(const CellDigest& cell) {
  json rates = json::array();
  for (const auto& t : cell.trials) {
    if (!t.end) continue;
    const auto metrics = t.end->telemetry.find("server_metrics");
    if (metrics == t.end->telemetry.end()) continue;
    rates.push_back(metrics->value("prefix_cache_hit_rate", json(nullptr)));
  }
  return rates;
}

}  // namespace

json prefix_cache_figures(const CellDigest& cell) {
  const auto by_position = ttft_by_position(cell);
  std::vector<double> first, first5, rest;
  for (const auto& [position, values] : by_position) {
    if (position == 0) first.insert(first.end(), values.begin(), values.end());
    auto& into = position < 5 ? first5 : rest;
    into.insert(into.end(), values.begin(), values.end());
  }
  json out = {{"first_request_ttft_ms", number_or_null(mean(first))},
              {"first_5_avg_ttft_ms", number_or_null(mean(first5))},
              {"rest_avg_ttft_ms", number_or_null(mean(rest))},
              {"requests_per_trial", cell.info.params.value("num_requests", 0)}};
  const double speedup = mean(first) / mean(rest);
  out["cache_speedup"] = number_or_null(speedup);  // first request's TTFT ÷ the rest's
  json ttft_by_index = json::array();
  for (const auto& [position, values] : by_position) ttft_by_index.push_back(mean(values));
  out["ttft_ms_by_request"] = ttft_by_index;  // mean over trials, by send order
  json flushes = json::array();
  for (const auto& t : cell.trials)
    if (t.end && t.end->telemetry.contains("cache_flush"))
      flushes.push_back(t.end->telemetry["cache_flush"]);
  out["cache_flush"] = flushes;
  out["server_prefix_cache_hit_rate"] = hit_rates(cell);
  return out;
}

json prefix_cache_comparison(const FrameworkLog& log) {
  const CellDigest* shared = find_cell(log, "prefix_cache");
  const CellDigest* control = find_cell(log, "prefix_cache_control");
  if (shared == nullptr || control == nullptr)
    return {{"null_reason", "needs both the prefix_cache cell and its control in the results"}};
  // Warm requests (6th on) of the shared run against the same positions without sharing.
  const std::vector<double> warm = ttfts_from(*shared, 5);
  const std::vector<double> cold = ttfts_from(*control, 5);
  json out = {{"warm_avg_ttft_ms", number_or_null(mean(warm))},
              {"control_avg_ttft_ms", number_or_null(mean(cold))},
              {"n_warm", warm.size()},
              {"n_control", cold.size()}};
  const auto ratio = ratio_of_means(warm, cold);
  if (ratio) {
    out["warm_to_control_ttft_ratio"] = ratio->ratio;
    out["ratio_ci95"] = {ratio->ci.low, ratio->ci.high};
  } else {
    out["warm_to_control_ttft_ratio"] = nullptr;
    out["null_reason"] = ratio.reason();
  }
  out["server_prefix_cache_hit_rate"] = hit_rates(*shared);
  out["control_server_prefix_cache_hit_rate"] = hit_rates(*control);
  return out;
}

json korean_item_figures(const CellDigest& cell) {
  struct Sums {
    int n = 0;
    double input = 0, output = 0, chars = 0, seconds = 0;
    bool chars_known = true;
  };
  std::map<std::uint32_t, Sums> by_item;
  for (const RequestRow& row : cell.rows) {
    if (!row.ok) continue;
    Sums& s = by_item[row.item];
    ++s.n;
    s.input += static_cast<double>(std::max<std::int64_t>(0, row.input_tokens));
    s.output += static_cast<double>(std::max<std::int64_t>(0, row.output_tokens));
    if (row.output_chars < 0) s.chars_known = false;
    s.chars += static_cast<double>(std::max<std::int64_t>(0, row.output_chars));
    if (std::isfinite(row.e2el_ms) && std::isfinite(row.ttft_ms))
      s.seconds += (row.e2el_ms - row.ttft_ms) / 1000.0;
  }
  json items = json::array();
  for (const auto& [item, s] : by_item) {
    json entry = {{"item", item}, {"requests", s.n}};
    if (item < cell.info.items.size()) entry["pair"] = cell.info.items[item];
    entry["avg_input_tokens"] = s.input / s.n;
    entry["avg_output_tokens"] = s.output / s.n;
    const json prompt_chars = item < cell.info.items.size()
                                  ? cell.info.items[item].value("chars", json(nullptr))
                                  : json(nullptr);
    entry["prompt_chars"] = prompt_chars;
    entry["prompt_chars_per_token"] = prompt_chars.is_number() && s.input > 0
                                          ? json(prompt_chars.get<double>() / (s.input / s.n))
                                          : json(nullptr);
    entry["avg_output_chars"] = s.chars_known ? json(s.chars / s.n) : json(nullptr);
    entry["output_chars_per_token"] =
        s.chars_known && s.output > 0 ? json(s.chars / s.output) : json(nullptr);
    entry["output_tokens_per_s"] = s.seconds > 0 ? json(s.output / s.seconds) : json(nullptr);
    entry["output_chars_per_s"] =
        s.chars_known && s.seconds > 0 ? json(s.chars / s.seconds) : json(nullptr);
    items.push_back(entry);
  }
  return items;
}

json korean_comparison(const FrameworkLog& log) {
  json out = json::array();
  for (const auto& ko : log.cells) {
    if (ko.info.scenario != "korean_ko") continue;
    const CellDigest* en = find_cell(log, "korean_en", ko.info.cell);
    if (en == nullptr) continue;
    const json ko_items = korean_item_figures(ko);
    const json en_items = korean_item_figures(*en);
    std::map<std::uint32_t, json> en_by_item;
    for (const auto& e : en_items) en_by_item[e["item"].get<std::uint32_t>()] = e;
    json pairs = json::array();
    std::vector<double> ratios;
    for (const auto& k : ko_items) {
      const auto it = en_by_item.find(k["item"].get<std::uint32_t>());
      if (it == en_by_item.end()) continue;
      const double ko_in = k["avg_input_tokens"].get<double>();
      const double en_in = it->second["avg_input_tokens"].get<double>();
      const double ratio = en_in > 0 ? ko_in / en_in : std::nan("");
      if (std::isfinite(ratio)) ratios.push_back(ratio);
      json pair = {{"item", k["item"]},
                   {"pair", k.value("pair", json(nullptr))},
                   {"ko_input_tokens", ko_in},
                   {"en_input_tokens", en_in},
                   {"ko_en_input_token_ratio", number_or_null(ratio)},
                   {"ko_output_tokens_per_s", k["output_tokens_per_s"]},
                   {"en_output_tokens_per_s", it->second["output_tokens_per_s"]},
                   {"ko_output_chars_per_s", k["output_chars_per_s"]},
                   {"en_output_chars_per_s", it->second["output_chars_per_s"]}};
      pairs.push_back(pair);
    }
    json entry = {{"cell", ko.info.cell}, {"pairs", pairs}};
    const auto estimate = mean_with_ci(ratios);
    if (estimate) {
      entry["mean_ko_en_input_token_ratio"] = estimate->mean;
      entry["ratio_ci95"] =
          estimate->ci95_low ? json({*estimate->ci95_low, *estimate->ci95_high}) : json(nullptr);
    } else {
      entry["mean_ko_en_input_token_ratio"] = nullptr;
      entry["null_reason"] = estimate.reason();
    }
    out.push_back(entry);
  }
  return out;
}

}  // namespace servemeter
