#include "analysis/comparison.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "analysis/scenario_names.h"

namespace servemeter {
namespace {

using nlohmann::json;

CellColumn column_of(const FrameworkResults& fw, std::size_t framework, std::size_t cell_index) {
  const MeasuredCell& cell = fw.cells[cell_index];
  CellColumn column;
  column.framework = framework;
  column.cell = cell_index;
  column.trials = cell.trials.size();
  for (const auto& m : all_metrics()) {
    const auto k = static_cast<std::size_t>(m.metric);
    std::vector<double> per_trial;
    for (const auto& t : cell.trials)
      if (t[k]) per_trial.push_back(*t[k]);
    column.figures[k] = estimate_of(per_trial);
  }
  return column;
}

std::string join(const std::vector<std::string>& items, const char* separator = ", ") {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : separator) + s;
  return out;
}

// Which hypotheses read which framework and scenario.
const std::map<std::string, std::string> kNeededBy = {
    {"sglang", "H1, H2"},
    {"vllm", "H1, H2"},
    {"ollama", "H2, H3"},
    {std::string(scenario_name::kSingleRequest), "H3"},
    {std::string(scenario_name::kConcurrentLoad), "H2, H4 and the saturation points"},
    {std::string(scenario_name::kLongContext), "the TTFT-by-input-length chart"},
    {std::string(scenario_name::kPrefixCache), "H1"},
    {std::string(scenario_name::kPrefixCacheControl), "H1's cache speed-up"},
    {std::string(scenario_name::kKoreanKo), "H5"},
    {std::string(scenario_name::kKoreanEn), "H5"},
};

void note_missing(Comparison& c) {
  for (const char* name : {"sglang", "vllm", "ollama"})
    if (!c.framework_index(name))
      c.missing.push_back("no results for " + framework_display_name(name) + " (model " +
                          c.model_preset + "): " + kNeededBy.at(name) + " cannot be checked");
  for (int r = 0; r < scenario_name::kKnownScenarios; ++r) {
    const std::string scenario(scenario_name::known(r));
    std::vector<std::string> with, without;
    for (std::size_t f = 0; f < c.frameworks.size(); ++f) {
      const bool has = std::any_of(c.frameworks[f].cells.begin(), c.frameworks[f].cells.end(),
                                   [&](const MeasuredCell& m) { return m.scenario == scenario; });
      (has ? with : without).push_back(c.display_name(f));
    }
    if (c.frameworks.empty()) break;
    if (with.empty())
      c.missing.push_back("no framework has " + scenario + " results (needed by " +
                          kNeededBy.at(scenario) + ")");
    else if (!without.empty())
      c.missing.push_back(join(without) + ": no " + scenario + " results (" + join(with) +
                          " have them)");
  }
  for (std::size_t f = 0; f < c.frameworks.size(); ++f) {
    const FrameworkResults& fw = c.frameworks[f];
    if (fw.cells.empty())
      c.missing.push_back(c.display_name(f) + " (" + fw.source_file + "): no measured cell yet");
    for (const auto& m : fw.missing)
      c.missing.push_back(c.display_name(f) + " (" + fw.source_file + "): no " + m);
    for (const auto& cell : fw.cells) {
      const std::string where = c.display_name(f) + ", " + cell.scenario + " " + cell.label;
      if (cell.measured > 0 && cell.succeeded == 0) {
        std::vector<std::string> kinds;
        for (const auto& [kind, n] : cell.errors) kinds.push_back(kind + " " + std::to_string(n));
        c.missing.push_back(where + ": every measured request failed" +
                            (kinds.empty() ? std::string() : " (" + join(kinds) + ")") +
                            "; its figures are not measured");
      } else if (cell.measured == 0 && cell.trials.size() == 1 &&
                 fw.source != ResultsSource::runbook_results) {
        c.missing.push_back(where + ": no measured request");
      }
      if (!cell.complete)
        c.missing.push_back(where + ": the measurement was cut short (" + cell.stop_reason +
                            "); its figures cover the requests that finished");
    }
    for (const auto& p : fw.problems) c.problems.push_back(p);
  }
}

}  // namespace

std::string framework_display_name(std::string_view framework) {
  if (framework == "sglang") return "SGLang";
  if (framework == "vllm") return "vLLM";
  if (framework == "ollama") return "Ollama";
  if (framework == "llamacpp") return "llama.cpp";
  return std::string(framework);
}

const CellColumn* ComparedCell::column(std::size_t framework) const {
  for (const auto& c : columns)
    if (c.framework == framework) return &c;
  return nullptr;
}

const ComparedCell* Comparison::find_cell(std::string_view scenario, std::string_view label) const {
  for (const auto& c : cells)
    if (c.scenario == scenario && c.label == label) return &c;
  return nullptr;
}

std::vector<const ComparedCell*> Comparison::cells_of(std::string_view scenario) const {
  std::vector<const ComparedCell*> out;
  for (const auto& c : cells)
    if (c.scenario == scenario) out.push_back(&c);
  return out;
}

std::optional<std::size_t> Comparison::framework_index(std::string_view name) const {
  for (std::size_t i = 0; i < frameworks.size(); ++i)
    if (frameworks[i].framework == name) return i;
  return std::nullopt;
}

std::string Comparison::display_name(std::size_t framework) const {
  const std::string name = framework_display_name(frameworks.at(framework).framework);
  // Two results of one framework (two model ids under one preset) stay apart.
  for (std::size_t i = 0; i < frameworks.size(); ++i)
    if (i != framework && frameworks[i].framework == frameworks[framework].framework)
      return name + " (" + frameworks[framework].model + ")";
  return name;
}

std::vector<std::pair<std::string, std::vector<std::string>>> model_presets(
    const FolderReading& reading) {
  std::map<std::string, std::vector<std::string>> by_preset;
  for (const auto& fw : reading.frameworks) by_preset[fw.model_preset].push_back(fw.framework);
  return {by_preset.begin(), by_preset.end()};
}

Comparison build_comparison(FolderReading reading, const ComparisonOptions& options) {
  Comparison c;
  c.skipped = std::move(reading.skipped);
  const auto presets = model_presets(reading);
  c.model_preset = options.model_preset;
  if (c.model_preset.empty()) {
    std::size_t most = 0;
    for (const auto& [preset, names] : presets)  // by name: the first of the largest wins ties
      if (names.size() > most) {
        most = names.size();
        c.model_preset = preset;
      }
  }
  for (auto& fw : reading.frameworks)
    (fw.model_preset == c.model_preset ? c.frameworks : c.other_models).push_back(std::move(fw));
  for (const auto& [preset, names] : presets)
    if (preset != c.model_preset)
      c.missing.push_back("results for model " + preset + " (" + join(names) +
                          ") are merged into all_results.json but not compared here; run "
                          "`servemeter analyze --model " +
                          preset + "` to compare them");

  std::map<std::tuple<int, std::string, std::string>, std::size_t> index;
  for (std::size_t f = 0; f < c.frameworks.size(); ++f) {
    const FrameworkResults& fw = c.frameworks[f];
    for (std::size_t k = 0; k < fw.cells.size(); ++k) {
      const MeasuredCell& cell = fw.cells[k];
      const auto key =
          std::make_tuple(scenario_name::rank(cell.scenario), cell.scenario, cell.label);
      auto [it, fresh] = index.try_emplace(key, c.cells.size());
      if (fresh) {
        ComparedCell compared;
        compared.scenario = cell.scenario;
        compared.label = cell.label;
        compared.params = cell.params;
        c.cells.push_back(std::move(compared));
      }
      c.cells[it->second].columns.push_back(column_of(fw, f, k));
    }
  }
  std::stable_sort(
      c.cells.begin(), c.cells.end(), [](const ComparedCell& a, const ComparedCell& b) {
        const int ra = scenario_name::rank(a.scenario), rb = scenario_name::rank(b.scenario);
        if (ra != rb) return ra < rb;
        if (a.scenario != b.scenario) return a.scenario < b.scenario;
        return scenario_name::label_less(a.label, b.label);
      });

  for (std::size_t f = 0; f < c.frameworks.size(); ++f)
    if (c.frameworks[f].simulated) {
      c.any_simulated = true;
      c.simulated_frameworks.push_back(c.frameworks[f].framework);
    }
  note_missing(c);
  c.environment = environment_of(c.frameworks);
  c.prefix_cache = prefix_cache_figures(c);
  c.korean = korean_figures(c);
  c.hypotheses = evaluate_hypotheses(c);
  c.saturation = saturation_points(c);
  c.findings = findings_of(c);
  return c;
}

}  // namespace servemeter
