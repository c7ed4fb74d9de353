#include "analysis/scenario_tables.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "analysis/comparison.h"
#include "analysis/comparison_tests.h"
#include "analysis/scenario_names.h"

namespace servemeter {
namespace {

using nlohmann::json;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::optional<Estimate> metric_estimate(const ComparedCell* cell, std::size_t framework,
                                        Metric metric) {
  if (cell == nullptr) return std::nullopt;
  const CellColumn* column = cell->column(framework);
  if (column == nullptr) return std::nullopt;
  return column->figures[static_cast<std::size_t>(metric)];
}

// The successful requests of a cell with a TTFT, grouped by trial.
std::map<int, std::vector<const RequestRow*>> ok_rows_by_trial(const MeasuredCell& cell) {
  std::map<int, std::vector<const RequestRow*>> out;
  for (const auto& r : cell.rows)
    if (r.ok && std::isfinite(r.ttft_ms)) out[r.trial].push_back(&r);
  return out;
}

double mean_of(const std::vector<double>& v) {
  if (v.empty()) return kNaN;
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

// TTFT by request index (item), mean over trials.
std::vector<double> ttft_by_index(const MeasuredCell& cell) {
  std::map<std::uint32_t, std::vector<double>> by_item;
  std::uint32_t last = 0;
  for (const auto& r : cell.rows) {
    last = std::max(last, r.item);
    if (r.ok && std::isfinite(r.ttft_ms)) by_item[r.item].push_back(r.ttft_ms);
  }
  std::vector<double> out;
  if (cell.rows.empty()) return out;
  for (std::uint32_t i = 0; i <= last; ++i) {
    const auto it = by_item.find(i);
    out.push_back(it == by_item.end() ? kNaN : mean_of(it->second));
  }
  return out;
}

// Mean control TTFT per trial (from its requests, or the trial's avg_ttft_ms).
std::map<int, double> control_by_trial(const Comparison& c, const ComparedCell* control,
                                       std::size_t framework) {
  std::map<int, double> out;
  if (control == nullptr) return out;
  const CellColumn* column = control->column(framework);
  if (column == nullptr) return out;
  const MeasuredCell& cell = c.measured(*column);
  if (cell.rows_available) {
    for (const auto& [trial, rows] : ok_rows_by_trial(cell)) {
      std::vector<double> v;
      for (const auto* r : rows) v.push_back(r->ttft_ms);
      out[trial] = mean_of(v);
    }
    return out;
  }
  const auto k = static_cast<std::size_t>(Metric::ttft_avg);
  for (std::size_t t = 0; t < cell.trials.size(); ++t)
    if (cell.trials[t][k]) out[static_cast<int>(t)] = *cell.trials[t][k];
  return out;
}

const ComparedCell* matching_control(const Comparison& c, const ComparedCell& cell) {
  const auto controls = c.cells_of(scenario_name::kPrefixCacheControl);
  if (controls.empty()) return nullptr;
  const auto out = cell.params.find("output_tokens");
  for (const auto* control : controls) {
    const auto co = control->params.find("output_tokens");
    if (out != cell.params.end() && co != control->params.end() && *out == *co) return control;
  }
  return controls.front();
}

std::optional<Estimate> from_map(const std::map<int, double>& per_trial) {
  std::vector<double> v;
  for (const auto& [trial, value] : per_trial) v.push_back(value);
  return estimate_of(v);
}

PrefixCacheFigures prefix_figures(const Comparison& c, const ComparedCell& cell,
                                  const CellColumn& column) {
  PrefixCacheFigures p;
  p.framework = column.framework;
  p.label = cell.label;
  const MeasuredCell& measured = c.measured(column);
  const ComparedCell* control = matching_control(c, cell);
  if (control != nullptr && control->column(column.framework) != nullptr)
    p.control_label = control->label;
  const std::map<int, double> control_trials = control_by_trial(c, control, column.framework);
  p.control_ttft = from_map(control_trials);
  p.cached_token_fraction = std::nullopt;
  if (!measured.rows_available) {
    p.note = "per-request values are missing (" + c.frameworks[column.framework].source_file +
             " has none), so the first request, the first 5 and the rest cannot be told apart";
    return p;
  }
  std::map<int, double> first, first5, rest, speedup, control_over_rest;
  for (const auto& [trial, rows] : ok_rows_by_trial(measured)) {
    std::vector<double> head, tail;
    for (const auto* r : rows) {
      if (r->item == 0) first[trial] = r->ttft_ms;
      (r->item < kPrefixWarmFrom ? head : tail).push_back(r->ttft_ms);
    }
    if (!head.empty()) first5[trial] = mean_of(head);
    if (!tail.empty()) rest[trial] = mean_of(tail);
    if (!head.empty() && !tail.empty()) speedup[trial] = first5[trial] / rest[trial];
    if (const auto ct = control_trials.find(trial); ct != control_trials.end() && !tail.empty())
      control_over_rest[trial] = ct->second / rest[trial];
  }
  p.first_request_ttft = from_map(first);
  p.first5_ttft = from_map(first5);
  p.rest_ttft = from_map(rest);
  p.speedup = from_map(speedup);
  p.control_over_rest = from_map(control_over_rest);
  p.ttft_by_index = ttft_by_index(measured);
  if (control != nullptr)
    if (const CellColumn* cc = control->column(column.framework))
      p.control_ttft_by_index = ttft_by_index(c.measured(*cc));
  if (p.control_label.empty())
    p.note = "no " + std::string(scenario_name::kPrefixCacheControl) +
             " run: the speed-up against unique prompts cannot be given";
  else if (control_over_rest.empty() && !control_trials.empty())
    p.note = "the control and the shared-prefix run have no trial in common";
  return p;
}

// Per-trial mean of a per-request quantity over successful requests.
template <class Value>
std::optional<Estimate> per_trial_ratio(const MeasuredCell& cell, Value numerator_and_denominator) {
  std::map<int, std::pair<double, double>> sums;
  for (const auto& r : cell.rows) {
    if (!r.ok) continue;
    const auto [num, den] = numerator_and_denominator(r);
    if (!(num >= 0) || !(den > 0)) continue;
    sums[r.trial].first += num;
    sums[r.trial].second += den;
  }
  std::vector<double> v;
  for (const auto& [trial, s] : sums)
    if (s.second > 0) v.push_back(s.first / s.second);
  return estimate_of(v);
}

double item_chars(const json& items, std::uint32_t item) {
  if (!items.is_array() || item >= items.size()) return kNaN;
  const json& entry = items[item];
  const auto it = entry.find("chars");
  return entry.is_object() && it != entry.end() && it->is_number() ? it->get<double>() : kNaN;
}

LanguageSide language_side(const Comparison& c, const ComparedCell* cell, std::size_t fw) {
  LanguageSide side;
  side.input_tokens = metric_estimate(cell, fw, Metric::mean_input_tokens);
  side.output_tokens = metric_estimate(cell, fw, Metric::mean_output_tokens);
  side.output_chars_per_token = metric_estimate(cell, fw, Metric::output_chars_per_token);
  side.output_throughput = metric_estimate(cell, fw, Metric::output_throughput);
  side.output_chars_per_s = metric_estimate(cell, fw, Metric::output_chars_per_s);
  if (cell == nullptr) return side;
  const CellColumn* column = cell->column(fw);
  if (column == nullptr) return side;
  const MeasuredCell& m = c.measured(*column);
  if (!m.rows_available) return side;
  side.input_chars_per_token = per_trial_ratio(m, [&](const RequestRow& r) {
    return std::make_pair(item_chars(m.items, r.item), static_cast<double>(r.input_tokens));
  });
  return side;
}

// Median server-counted input tokens of each item's successful requests.
std::map<std::uint32_t, double> input_tokens_by_item(const MeasuredCell& cell) {
  std::map<std::uint32_t, std::vector<double>> by_item;
  for (const auto& r : cell.rows)
    if (r.ok && r.input_tokens > 0) by_item[r.item].push_back(static_cast<double>(r.input_tokens));
  std::map<std::uint32_t, double> out;
  for (auto& [item, v] : by_item) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    out[item] = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }
  return out;
}

}  // namespace

std::vector<PrefixCacheFigures> prefix_cache_figures(const Comparison& c) {
  std::vector<PrefixCacheFigures> out;
  for (const ComparedCell* cell : c.cells_of(scenario_name::kPrefixCache))
    for (const auto& column : cell->columns) out.push_back(prefix_figures(c, *cell, column));
  // Frameworks with a control run only still show their control figures.
  for (const ComparedCell* control : c.cells_of(scenario_name::kPrefixCacheControl))
    for (const auto& column : control->columns) {
      const bool shown = std::any_of(out.begin(), out.end(), [&](const PrefixCacheFigures& p) {
        return p.framework == column.framework;
      });
      if (shown) continue;
      PrefixCacheFigures p;
      p.framework = column.framework;
      p.control_label = control->label;
      p.control_ttft = from_map(control_by_trial(c, control, column.framework));
      p.control_ttft_by_index = ttft_by_index(c.measured(column));
      p.note = "no " + std::string(scenario_name::kPrefixCache) + " run, only its control";
      out.push_back(std::move(p));
    }
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.framework < b.framework; });
  return out;
}

std::vector<KoreanFigures> korean_figures(const Comparison& c) {
  std::vector<KoreanFigures> out;
  for (const ComparedCell* ko : c.cells_of(scenario_name::kKoreanKo)) {
    const ComparedCell* en = c.find_cell(scenario_name::kKoreanEn, ko->label);
    for (const auto& column : ko->columns) {
      KoreanFigures k;
      k.framework = column.framework;
      k.label = ko->label;
      k.ko = language_side(c, ko, column.framework);
      k.en = language_side(c, en, column.framework);
      const CellColumn* en_column = en != nullptr ? en->column(column.framework) : nullptr;
      if (en_column == nullptr) {
        k.note =
            "no " + std::string(scenario_name::kKoreanEn) + " " + ko->label + " run to pair with";
        out.push_back(std::move(k));
        continue;
      }
      const MeasuredCell& ko_cell = c.measured(column);
      const MeasuredCell& en_cell = c.measured(*en_column);
      if (ko_cell.rows_available && en_cell.rows_available) {
        const auto ko_items = input_tokens_by_item(ko_cell);
        const auto en_items = input_tokens_by_item(en_cell);
        std::vector<double> ratios;
        for (const auto& [item, tokens] : ko_items)
          if (const auto it = en_items.find(item); it != en_items.end()) {
            k.item_ratios.emplace_back(item, tokens / it->second);
            ratios.push_back(tokens / it->second);
          }
        if (const auto g = geometric_mean(ratios)) {
          k.ratio = g->ratio;
          k.ratio_ci_low = g->ci_low;
          k.ratio_ci_high = g->ci_high;
        }
        if (ratios.empty()) k.note = "no item has server-counted input tokens in both languages";
      } else if (k.ko.input_tokens && k.en.input_tokens && k.en.input_tokens->mean > 0) {
        k.ratio = k.ko.input_tokens->mean / k.en.input_tokens->mean;
        k.note = "ratio of the cells' mean input tokens: per-request pairs are missing";
      } else {
        k.note = "input token counts are missing";
      }
      out.push_back(std::move(k));
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.framework < b.framework; });
  return out;
}

}  // namespace servemeter
