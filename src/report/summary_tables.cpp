#include "report/summary_tables.h"

#include <algorithm>
#include <cmath>

#include "analysis/scenario_names.h"
#include "report/text_format.h"

namespace servemeter {
namespace {

// The rows of a scenario cell's table, as the runbook's comparison shows them.
constexpr Metric kCellRows[] = {
    Metric::ttft_avg,     Metric::ttft_p50,          Metric::ttft_p95,
    Metric::tpot_avg,     Metric::latency_p50,       Metric::latency_p95,
    Metric::latency_p99,  Metric::output_throughput, Metric::request_throughput,
    Metric::success_rate, Metric::gpu_memory_mb,
};

std::string row_label(const MetricInfo& m) {
  return std::string(m.label) + " (" + std::string(m.unit) + ")";
}

// Marks the best value(s) of a row by their means.
void mark_best(std::vector<TableCell>& row, const std::vector<std::optional<double>>& values,
               Better better) {
  if (better == Better::neither) return;
  std::optional<double> best;
  for (const auto& v : values)
    if (v && std::isfinite(*v) && (!best || (better == Better::lower ? *v < *best : *v > *best)))
      best = *v;
  std::size_t present = 0;
  for (const auto& v : values) present += v ? 1 : 0;
  if (!best || present < 2) return;  // nothing to beat
  for (std::size_t i = 0; i < values.size(); ++i)
    if (values[i] && *values[i] == *best) row[i + 1].best = true;
}

std::vector<TableCell> estimate_row(const std::string& label,
                                    const std::vector<std::optional<Estimate>>& values,
                                    Better better) {
  std::vector<TableCell> row{{label}};
  std::vector<std::optional<double>> means;
  for (const auto& e : values) {
    row.push_back({text::estimate(e)});
    means.push_back(e ? std::optional<double>(e->mean) : std::nullopt);
  }
  mark_best(row, means, better);
  return row;
}

std::string count_text(double v) {
  return text::fixed(v, 0);
}

std::string param_text(const nlohmann::json& params, const char* key) {
  const auto it = params.find(key);
  if (it == params.end() || it->is_null()) return {};
  return it->is_string() ? it->get<std::string>() : it->dump();
}

}  // namespace

std::string simulated_banner(const Comparison& c) {
  if (!c.any_simulated) return {};
  std::string names;
  for (std::size_t f = 0; f < c.frameworks.size(); ++f)
    if (c.frameworks[f].simulated) names += (names.empty() ? "" : ", ") + c.display_name(f);
  return "SIMULATED RESULTS: " + names +
         " were measured against servemeter's simulator (servemeter sim), not real servers. The "
         "figures show what the tool and its analysis do, not how the frameworks compare.";
}

Table frameworks_table(const Comparison& c) {
  Table t;
  t.title = "Frameworks";
  t.numeric = false;
  t.header = {"framework", "model", "source", "cells", "trials per cell", "simulated"};
  for (std::size_t f = 0; f < c.frameworks.size(); ++f) {
    const FrameworkResults& fw = c.frameworks[f];
    std::size_t lo = 0, hi = 0;
    for (const auto& cell : fw.cells) {
      lo = lo == 0 ? cell.trials.size() : std::min(lo, cell.trials.size());
      hi = std::max(hi, cell.trials.size());
    }
    const std::string trials = hi == 0    ? "—"
                               : lo == hi ? std::to_string(hi)
                                          : std::to_string(lo) + "–" + std::to_string(hi);
    t.rows.push_back(
        {{c.display_name(f)},
         {"`" + fw.model + "`"},
         {std::string(to_string(fw.source)) + ": `" + fw.source_file + "`"},
         {std::to_string(fw.cells.size())},
         {trials},
         {fw.simulated ? "yes (time scale " + text::compact(fw.time_scale) + ")" : "no"}});
  }
  return t;
}

std::vector<Table> cell_tables(const Comparison& c) {
  std::vector<Table> out;
  for (const auto& cell : c.cells) {
    Table t;
    t.title = cell.scenario + " · " + cell.label;
    std::string caption;
    if (const std::string conc = param_text(cell.params, "concurrency"); !conc.empty())
      caption += "concurrency " + conc;
    else if (const std::string rate = param_text(cell.params, "request_rate"); !rate.empty())
      caption += "request rate " + rate + "/s";
    if (const std::string n = param_text(cell.params, "num_requests"); !n.empty())
      caption += std::string(caption.empty() ? "" : " · ") + n + " measured requests per trial";
    t.header.push_back("figure");
    for (const auto& col : cell.columns) {
      std::string head = c.display_name(col.framework);
      if (col.trials > 1) head += " (" + std::to_string(col.trials) + " trials)";
      t.header.push_back(head);
    }
    t.caption = caption;
    for (const Metric m : kCellRows) {
      std::vector<std::optional<Estimate>> values;
      for (const auto& col : cell.columns)
        values.push_back(col.figures[static_cast<std::size_t>(m)]);
      t.rows.push_back(estimate_row(row_label(metric_info(m)), values, metric_info(m).better));
    }
    std::vector<TableCell> requests{{"requests measured / succeeded"}};
    for (const auto& col : cell.columns) {
      const MeasuredCell& m = c.measured(col);
      requests.push_back({std::to_string(m.measured) + " / " + std::to_string(m.succeeded)});
    }
    t.rows.push_back(requests);
    for (const auto& col : cell.columns) {
      const MeasuredCell& m = c.measured(col);
      if (m.measured > 0 && m.succeeded == 0)
        t.notes.push_back(c.display_name(col.framework) +
                          ": every request failed; its figures "
                          "are not measured (—).");
      if (!m.complete)
        t.notes.push_back(c.display_name(col.framework) + ": cut short (" + m.stop_reason + ").");
    }
    out.push_back(std::move(t));
  }
  return out;
}

std::vector<Table> prefix_cache_tables(const Comparison& c) {
  if (c.prefix_cache.empty()) return {};
  Table t;
  t.title = "Prefix cache and its control";
  t.caption =
      "shared ~2,048-token system prompt + different questions, sequential; warm = the 6th "
      "request onwards; control = unique system prompts";
  t.header.push_back("figure");
  for (const auto& p : c.prefix_cache) t.header.push_back(c.display_name(p.framework));
  const auto row = [&](const std::string& label, std::optional<Estimate> PrefixCacheFigures::*f,
                       Better better) {
    std::vector<std::optional<Estimate>> values;
    for (const auto& p : c.prefix_cache) values.push_back(p.*f);
    t.rows.push_back(estimate_row(label, values, better));
  };
  row("first request TTFT (ms)", &PrefixCacheFigures::first_request_ttft, Better::lower);
  row("first 5 requests TTFT avg (ms)", &PrefixCacheFigures::first5_ttft, Better::lower);
  row("warm requests (6th–) TTFT avg (ms)", &PrefixCacheFigures::rest_ttft, Better::lower);
  row("speed-up: first 5 ÷ warm (×)", &PrefixCacheFigures::speedup, Better::higher);
  row("control (unique prompts) TTFT avg (ms)", &PrefixCacheFigures::control_ttft, Better::lower);
  row("cache speed-up: control ÷ warm (×)", &PrefixCacheFigures::control_over_rest, Better::higher);
  for (const auto& p : c.prefix_cache)
    if (!p.note.empty()) t.notes.push_back(c.display_name(p.framework) + ": " + p.note + ".");
  return {t};
}

std::vector<Table> korean_tables(const Comparison& c) {
  std::vector<std::string> labels;
  for (const auto& k : c.korean)
    if (std::find(labels.begin(), labels.end(), k.label) == labels.end()) labels.push_back(k.label);
  std::sort(labels.begin(), labels.end(), scenario_name::label_less);
  std::vector<Table> out;
  for (const auto& label : labels) {
    std::vector<const KoreanFigures*> figures;
    for (const auto& k : c.korean)
      if (k.label == label) figures.push_back(&k);
    Table t;
    t.title = "Korean (한국어) and English · " + label;
    t.caption = "the same prompts in both languages, paired by item; tokens counted by each server";
    t.header.push_back("figure");
    for (const auto* k : figures) t.header.push_back(c.display_name(k->framework));
    const auto side_row = [&](const std::string& label_text, bool korean,
                              std::optional<Estimate> LanguageSide::*f, Better better) {
      std::vector<std::optional<Estimate>> values;
      for (const auto* k : figures) values.push_back((korean ? k->ko : k->en).*f);
      t.rows.push_back(estimate_row(label_text, values, better));
    };
    side_row("input tokens per request — Korean", true, &LanguageSide::input_tokens,
             Better::neither);
    side_row("input tokens per request — English", false, &LanguageSide::input_tokens,
             Better::neither);
    std::vector<TableCell> ratio{{"Korean ÷ English input tokens (×, 95% CI)"}};
    for (const auto* k : figures) {
      std::string s = k->ratio ? text::number(*k->ratio) : "—";
      if (k->ratio_ci_low && k->ratio_ci_high)
        s += " [" + text::number(*k->ratio_ci_low) + ", " + text::number(*k->ratio_ci_high) + "]";
      if (k->ratio) s += " (" + std::to_string(k->item_ratios.size()) + " pairs)";
      ratio.push_back({s});
    }
    t.rows.push_back(ratio);
    side_row("prompt characters per token — Korean", true, &LanguageSide::input_chars_per_token,
             Better::neither);
    side_row("prompt characters per token — English", false, &LanguageSide::input_chars_per_token,
             Better::neither);
    side_row("output tokens per request — Korean", true, &LanguageSide::output_tokens,
             Better::neither);
    side_row("output tokens per request — English", false, &LanguageSide::output_tokens,
             Better::neither);
    side_row("output characters per token — Korean", true, &LanguageSide::output_chars_per_token,
             Better::neither);
    side_row("output characters per token — English", false, &LanguageSide::output_chars_per_token,
             Better::neither);
    side_row("output throughput (tok/s) — Korean", true, &LanguageSide::output_throughput,
             Better::higher);
    side_row("output throughput (tok/s) — English", false, &LanguageSide::output_throughput,
             Better::higher);
    side_row("output characters per second — Korean", true, &LanguageSide::output_chars_per_s,
             Better::higher);
    side_row("output characters per second — English", false, &LanguageSide::output_chars_per_s,
             Better::higher);
    for (const auto* k : figures)
      if (!k->note.empty()) t.notes.push_back(c.display_name(k->framework) + ": " + k->note + ".");
    out.push_back(std::move(t));
  }
  return out;
}

Table environment_table(const Comparison& c) {
  Table t;
  t.title = "Servers";
  t.numeric = false;
  t.header = {"framework", "model id", "server version", "quantisation", "simulated"};
  for (const auto& f : c.environment.frameworks) {
    std::string version = f.server_version.empty() ? "not reported" : f.server_version;
    if (!f.version_source.empty()) version += " (" + f.version_source + ")";
    std::string quant = f.quantisation.empty() ? "not reported" : f.quantisation;
    if (!f.model_format.empty()) quant = f.model_format + ", " + quant;
    t.rows.push_back({{framework_display_name(f.framework)},
                      {"`" + f.model + "`"},
                      {version},
                      {quant},
                      {f.simulated ? "yes" : "no"}});
  }
  return t;
}

Table verdicts_table(const Comparison& c) {
  Table t;
  t.title = "Verdicts";
  t.numeric = false;
  t.header = {"", "hypothesis", "verdict"};
  for (const auto& h : c.hypotheses)
    t.rows.push_back({{h.id}, {h.statement}, {std::string(to_string(h.verdict))}});
  return t;
}

Table evidence_table(const HypothesisResult& h) {
  Table t;
  t.title = h.id + " evidence";
  t.numeric = false;
  t.header = {"comparison",
              "n (a / b)",
              "a",
              "b",
              "test",
              "p",
              "p (Holm)",
              "ratio a ÷ b [95% CI]",
              "other effect [95% CI]",
              "outcome"};
  for (const auto& c : h.comparisons) {
    const auto centre = [&](const std::optional<double>& v, const std::string& name) {
      if (!v) return std::string("—");
      return (name.empty() ? "" : name + ": ") + c.centre + " " + text::number(*v);
    };
    std::string ratio = "—";
    if (c.ratio) {
      ratio = text::number(c.ratio->value) + "×";
      if (c.exact)
        ratio += " (exact)";
      else if (c.ratio->ci_low && c.ratio->ci_high)
        ratio +=
            " [" + text::number(*c.ratio->ci_low) + ", " + text::number(*c.ratio->ci_high) + "]";
    }
    std::string extra = "—";
    if (c.extra) {
      extra = c.extra->name + " " + text::number(c.extra->value) +
              (c.extra->unit.empty() || c.extra->unit == "×" ? "" : " " + c.extra->unit);
      if (c.extra->ci_low && c.extra->ci_high)
        extra +=
            " [" + text::number(*c.extra->ci_low) + ", " + text::number(*c.extra->ci_high) + "]";
    }
    std::string test = c.test.empty() ? "—" : c.test;
    if (c.statistic)
      test += ", " + c.statistic_name + " = " + text::number(*c.statistic) +
              (c.df ? ", df = " + text::number(*c.df) : "");
    std::string outcome = std::string(to_string(c.outcome));
    if (!c.decides) outcome += " (context)";
    if (!c.reason.empty()) outcome += ": " + c.reason;
    const std::string n =
        c.n_a + c.n_b == 0
            ? "—"
            : std::to_string(c.n_a) + " / " +
                  (c.sample_unit == "item pairs" ? std::string("—") : std::to_string(c.n_b)) + " " +
                  c.sample_unit;
    t.rows.push_back({{c.what},
                      {n},
                      {centre(c.centre_a, c.a)},
                      {c.sample_unit == "item pairs" ? "—" : centre(c.centre_b, c.b)},
                      {test},
                      {c.p_value ? text::p_value(*c.p_value) : "—"},
                      {c.p_holm ? text::p_value(*c.p_holm) : "—"},
                      {ratio},
                      {extra},
                      {outcome}});
  }
  return t;
}

Table saturation_table(const Comparison& c) {
  Table t;
  t.title = "Saturation points";
  t.numeric = false;
  t.caption =
      "the concurrency past which output throughput grows by less than 10% per step while "
      "latency keeps rising (means over trials)";
  t.header = {"framework", "saturation point (clients)", "evidence"};
  for (const auto& s : c.saturation)
    t.rows.push_back({{c.display_name(s.framework)},
                      {s.concurrency ? count_text(*s.concurrency) : "not reached"},
                      {s.concurrency ? s.evidence : s.reason}});
  return t;
}

}  // namespace servemeter
