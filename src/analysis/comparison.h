#pragma once
// The cross-framework comparison of one model: frameworks × scenarios × cells, each figure as
// mean ± sd over trials (with the per-trial and per-request values kept for the tests), the
// environment, the hypotheses' verdicts, saturation points and findings. Built once from a
// results folder; every reporter only formats it. Nothing in it depends on the clock, on the
// order of a hash map, or on where in memory anything lives, so the same files give the same
// comparison.
#include <optional>
#include <string>
#include <vector>

#include "analysis/environment.h"
#include "analysis/estimate.h"
#include "analysis/framework_results.h"
#include "analysis/hypotheses.h"
#include "analysis/metric_catalog.h"
#include "analysis/results_folder.h"
#include "analysis/scenario_tables.h"

namespace servemeter {

// One framework's measurement of a cell.
struct CellColumn {
  std::size_t framework = 0;  // index into Comparison::frameworks
  std::size_t cell = 0;       // index into that framework's cells
  std::size_t trials = 0;
  PerMetric<std::optional<Estimate>> figures;
};

struct ComparedCell {
  std::string scenario, label;
  nlohmann::json params = nlohmann::json::object();  // the first framework's
  std::vector<CellColumn> columns;                   // in framework order; absent: not measured
  const CellColumn* column(std::size_t framework) const;
};

struct SaturationPoint {
  std::size_t framework = 0;
  std::optional<double> concurrency;  // nullopt: not found (reason says why)
  std::string evidence;               // "throughput +4% from 32 to 64 while latency +85%"
  std::string reason;
};

struct Comparison {
  std::string model_preset;                    // the model compared
  std::vector<FrameworkResults> frameworks;    // compared, in framework order
  std::vector<FrameworkResults> other_models;  // other presets: merged into all_results.json only
  std::vector<ComparedCell> cells;             // by scenario (runbook order), then label
  std::vector<SkippedInput> skipped;
  std::vector<std::string> missing;   // frameworks, scenarios, failed cells, in words
  std::vector<std::string> problems;  // what the files said was wrong (bad lines, duplicates…)
  Environment environment;
  std::vector<PrefixCacheFigures> prefix_cache;
  std::vector<KoreanFigures> korean;
  std::vector<HypothesisResult> hypotheses;
  std::vector<SaturationPoint> saturation;
  std::vector<std::string> findings;
  bool any_simulated = false;
  std::vector<std::string> simulated_frameworks;

  const MeasuredCell& measured(const CellColumn& column) const {
    return frameworks[column.framework].cells[column.cell];
  }
  const ComparedCell* find_cell(std::string_view scenario, std::string_view label) const;
  std::vector<const ComparedCell*> cells_of(std::string_view scenario) const;
  // Index of the framework named `name` (sglang, vllm…), if compared.
  std::optional<std::size_t> framework_index(std::string_view name) const;
  std::string display_name(std::size_t framework) const;  // "SGLang", "vLLM", "Ollama", …
};

struct ComparisonOptions {
  // The model preset to compare; empty: the one most frameworks have (ties: by name).
  std::string model_preset;
};

// Everything: cells and figures, environment, scenario tables, hypotheses, saturation, findings.
Comparison build_comparison(FolderReading reading, const ComparisonOptions& options = {});

// The model presets in a reading with the frameworks that have each, by preset.
std::vector<std::pair<std::string, std::vector<std::string>>> model_presets(
    const FolderReading& reading);

// Saturation point of each framework with concurrent_load cells (saturation.h's rule on mean
// output throughput and mean latency over trials).
std::vector<SaturationPoint> saturation_points(const Comparison& comparison);

// The findings in plain words: each verdict, saturation, what is missing.
std::vector<std::string> findings_of(const Comparison& comparison);

// A framework's name as people write it: SGLang, vLLM, Ollama, llama.cpp; others unchanged.
std::string framework_display_name(std::string_view framework);

}  // namespace servemeter
