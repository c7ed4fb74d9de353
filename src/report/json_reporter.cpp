// all_results.json: every framework's results document under its runbook key
// (<framework>_<model>), exactly as its results file holds it, and the analysis beside them
// under "analysis" (the only key that is not a framework's).
#include <cmath>

#include "report/report_files.h"

namespace servemeter {
namespace {

using nlohmann::json;

json number_or_null(const std::optional<double>& v) {
  return v && std::isfinite(*v) ? json(*v) : json(nullptr);
}

json estimate_json(const std::optional<Estimate>& e) {
  if (!e) return nullptr;
  return {{"mean", e->mean},
          {"sd", number_or_null(e->sd)},
          {"n", e->n},
          {"ci95_low", number_or_null(e->ci_low)},
          {"ci95_high", number_or_null(e->ci_high)},
          {"per_trial", e->per_trial}};
}

json effect_json(const std::optional<Effect>& e) {
  if (!e) return nullptr;
  return {{"name", e->name},
          {"value", e->value},
          {"ci95_low", number_or_null(e->ci_low)},
          {"ci95_high", number_or_null(e->ci_high)},
          {"unit", e->unit}};
}

json comparison_json(const TestedComparison& t) {
  return {{"what", t.what},
          {"a", t.a},
          {"b", t.b},
          {"metric", t.metric},
          {"sample_unit", t.sample_unit},
          {"n_a", t.n_a},
          {"n_b", t.n_b},
          {"centre", t.centre},
          {"centre_a", number_or_null(t.centre_a)},
          {"centre_b", number_or_null(t.centre_b)},
          {"test", t.test.empty() ? json(nullptr) : json(t.test)},
          {"statistic_name", t.statistic_name.empty() ? json(nullptr) : json(t.statistic_name)},
          {"statistic", number_or_null(t.statistic)},
          {"df", number_or_null(t.df)},
          {"p_value", number_or_null(t.p_value)},
          {"p_holm", number_or_null(t.p_holm)},
          {"ratio", effect_json(t.ratio)},
          {"other_effect", effect_json(t.extra)},
          {"exact", t.exact},
          {"criterion", t.criterion},
          {"margin", t.margin},
          {"outcome", to_string(t.outcome)},
          {"reason", t.reason},
          {"decides", t.decides},
          {"part", t.part.empty() ? json(nullptr) : json(t.part)}};
}

json analysis_json(const Comparison& c) {
  json a = json::object();
  a["schema"] = "servemeter.summary/1";
  a["model_preset"] = c.model_preset;
  a["simulated"] = c.any_simulated;
  a["simulated_frameworks"] = c.simulated_frameworks;
  json frameworks = json::array();
  for (const auto& fw : c.frameworks)
    frameworks.push_back({{"key", fw.key},
                          {"framework", fw.framework},
                          {"model_preset", fw.model_preset},
                          {"model", fw.model},
                          {"source", to_string(fw.source)},
                          {"source_file", fw.source_file},
                          {"simulated", fw.simulated},
                          {"time_scale", fw.time_scale},
                          {"missing", fw.missing}});
  a["frameworks"] = frameworks;

  const Environment& env = c.environment;
  json servers = json::array();
  for (const auto& f : env.frameworks)
    servers.push_back(
        {{"framework", f.framework},
         {"model", f.model},
         {"server_version", f.server_version.empty() ? json(nullptr) : json(f.server_version)},
         {"version_source", f.version_source},
         {"quantisation", f.quantisation.empty() ? json(nullptr) : json(f.quantisation)},
         {"model_format", f.model_format.empty() ? json(nullptr) : json(f.model_format)},
         {"simulated", f.simulated}});
  a["environment"] = {{"gpus", env.gpus},
                      {"drivers", env.drivers},
                      {"gpu_memory_total_mib", number_or_null(env.gpu_memory_total_mib)},
                      {"gpu_note", env.gpu_note},
                      {"servers", servers},
                      {"model_notes", env.model_notes}};

  json cells = json::array();
  for (const auto& cell : c.cells) {
    json by_framework = json::object();
    for (const auto& col : cell.columns) {
      json figures = json::object();
      for (const auto& m : all_metrics())
        figures[std::string(m.key)] =
            estimate_json(col.figures[static_cast<std::size_t>(m.metric)]);
      const MeasuredCell& measured = c.measured(col);
      by_framework[c.frameworks[col.framework].key] = {{"trials", col.trials},
                                                       {"measured_requests", measured.measured},
                                                       {"successful_requests", measured.succeeded},
                                                       {"complete", measured.complete},
                                                       {"figures", figures}};
    }
    cells.push_back({{"scenario", cell.scenario},
                     {"cell", cell.label},
                     {"params", cell.params},
                     {"frameworks", by_framework}});
  }
  a["cells"] = cells;

  json prefix = json::array();
  for (const auto& p : c.prefix_cache)
    prefix.push_back({{"framework", c.frameworks[p.framework].key},
                      {"cell", p.label},
                      {"control_cell", p.control_label},
                      {"first_request_ttft_ms", estimate_json(p.first_request_ttft)},
                      {"first5_ttft_ms", estimate_json(p.first5_ttft)},
                      {"warm_ttft_ms", estimate_json(p.rest_ttft)},
                      {"speedup_first5_over_warm", estimate_json(p.speedup)},
                      {"control_ttft_ms", estimate_json(p.control_ttft)},
                      {"speedup_control_over_warm", estimate_json(p.control_over_rest)},
                      {"note", p.note}});
  a["prefix_cache"] = prefix;

  json korean = json::array();
  const auto side = [](const LanguageSide& s) {
    return json{{"input_tokens", estimate_json(s.input_tokens)},
                {"output_tokens", estimate_json(s.output_tokens)},
                {"input_chars_per_token", estimate_json(s.input_chars_per_token)},
                {"output_chars_per_token", estimate_json(s.output_chars_per_token)},
                {"output_throughput_tok_s", estimate_json(s.output_throughput)},
                {"output_chars_per_s", estimate_json(s.output_chars_per_s)}};
  };
  for (const auto& k : c.korean) {
    json items = json::array();
    for (const auto& [item, r] : k.item_ratios) items.push_back({{"item", item}, {"ratio", r}});
    korean.push_back({{"framework", c.frameworks[k.framework].key},
                      {"cell", k.label},
                      {"ko", side(k.ko)},
                      {"en", side(k.en)},
                      {"input_token_ratio", number_or_null(k.ratio)},
                      {"input_token_ratio_ci95_low", number_or_null(k.ratio_ci_low)},
                      {"input_token_ratio_ci95_high", number_or_null(k.ratio_ci_high)},
                      {"item_ratios", items},
                      {"note", k.note}});
  }
  a["korean"] = korean;

  json hypotheses = json::array();
  for (const auto& h : c.hypotheses) {
    json comparisons = json::array();
    for (const auto& t : h.comparisons) comparisons.push_back(comparison_json(t));
    hypotheses.push_back({{"id", h.id},
                          {"statement", h.statement},
                          {"data", h.data},
                          {"method", h.method},
                          {"verdict", to_string(h.verdict)},
                          {"reason", h.reason},
                          {"notes", h.notes},
                          {"comparisons", comparisons}});
  }
  a["hypotheses"] = hypotheses;
  a["holm_family"] = "the comparisons of each hypothesis";
  a["alpha"] = kAlpha;

  json saturation = json::array();
  for (const auto& s : c.saturation)
    saturation.push_back({{"framework", c.frameworks[s.framework].key},
                          {"concurrency", number_or_null(s.concurrency)},
                          {"evidence", s.evidence},
                          {"reason", s.reason}});
  a["saturation"] = saturation;
  a["findings"] = c.findings;
  a["missing"] = c.missing;
  a["problems"] = c.problems;
  json skipped = json::array();
  for (const auto& s : c.skipped) skipped.push_back({{"file", s.file}, {"reason", s.reason}});
  a["skipped"] = skipped;
  return a;
}

class JsonReporter final : public Reporter {
 public:
  std::string_view format() const override { return "json"; }
  ReportOutput write(const Comparison& c, const std::filesystem::path& folder) const override {
    json doc = json::object();
    for (const auto* group : {&c.frameworks, &c.other_models})
      for (const auto& fw : *group) doc[fw.key] = fw.document;
    doc["analysis"] = analysis_json(c);
    ReportOutput out;
    write_report_file(folder / "all_results.json",
                      doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n", out);
    return out;
  }
};

}  // namespace

std::unique_ptr<Reporter> make_json_reporter() {
  return std::make_unique<JsonReporter>();
}

}  // namespace servemeter
