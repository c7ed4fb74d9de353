#pragma once
// Frameworks' results built in code, for the comparison and hypothesis tests: cells with given
// per-trial figures and per-request rows, without files.
#include <cstdint>
#include <string>
#include <vector>

#include "analysis/comparison.h"

namespace servemeter::testing {

inline FrameworkResults framework(const std::string& name, const std::string& model = "m") {
  FrameworkResults fw;
  fw.framework = name;
  fw.model_preset = "preset";
  fw.model = model;
  fw.key = name + "_preset";
  fw.source_file = name + "/" + name + "_preset_requests.jsonl";
  fw.document = nlohmann::json::object();
  return fw;
}

// A cell whose trials have the given value of one figure each (other figures unset).
inline MeasuredCell cell(const std::string& scenario, const std::string& label,
                         nlohmann::json params = nlohmann::json::object()) {
  MeasuredCell c;
  c.scenario = scenario;
  c.label = label;
  c.params = std::move(params);
  c.rows_available = true;
  return c;
}

inline void set_trials(MeasuredCell& c, Metric metric, const std::vector<double>& values) {
  if (c.trials.size() < values.size()) c.trials.resize(values.size());
  for (std::size_t t = 0; t < values.size(); ++t)
    c.trials[t][static_cast<std::size_t>(metric)] = values[t];
  c.measured = c.succeeded = 10 * c.trials.size();
}

inline RequestRow row(std::uint32_t item, double ttft, int trial = 0, double e2el = 0) {
  RequestRow r;
  r.id = item + 1000u * static_cast<std::uint32_t>(trial);
  r.item = item;
  r.trial = trial;
  r.ok = true;
  r.ttft_ms = ttft;
  r.ttfc_ms = ttft;
  r.e2el_ms = e2el > 0 ? e2el : ttft * 10;
  r.tpot_ms = 5;
  r.input_tokens = 100;
  r.output_tokens = 10;
  r.output_chars = 40;
  return r;
}

// A deterministic spread of ±`spread` (relative) around `centre` for the i-th value.
inline double around(double centre, int i, double spread = 0.05) {
  return centre * (1 + spread * (static_cast<double>((i * 37) % 11) / 5.0 - 1));
}

inline Comparison compare(std::vector<FrameworkResults> frameworks) {
  FolderReading reading;
  reading.frameworks = std::move(frameworks);
  return build_comparison(std::move(reading));
}

inline const HypothesisResult& hypothesis(const Comparison& c, const std::string& id) {
  for (const auto& h : c.hypotheses)
    if (h.id == id) return h;
  throw std::runtime_error("no hypothesis " + id);
}

}  // namespace servemeter::testing
