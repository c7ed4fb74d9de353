// comparison.csv: one row per scenario cell and framework, every figure as its mean over trials
// with the sample sd beside it, for spreadsheets. Numbers in their shortest round-trip form.
#include <cmath>

#include "report/report_files.h"
#include "report/text_format.h"

namespace servemeter {
namespace {

std::string number_field(const std::optional<double>& v) {
  if (!v || !std::isfinite(*v)) return {};
  return nlohmann::json(*v).dump();
}

std::string param_field(const nlohmann::json& params, const char* key) {
  const auto it = params.find(key);
  if (it == params.end() || it->is_null()) return {};
  return text::csv_field(it->is_string() ? it->get<std::string>() : it->dump());
}

std::string csv(const Comparison& c) {
  std::string out =
      "simulated,framework,model_preset,model,scenario,cell,concurrency,input_tokens,"
      "output_tokens,num_requests,trials,measured_requests,successful_requests,complete,source";
  for (const auto& m : all_metrics())
    out += "," + std::string(m.key) + "," + std::string(m.key) + "_sd";
  out += "\n";
  for (const auto& cell : c.cells)
    for (const auto& col : cell.columns) {
      const FrameworkResults& fw = c.frameworks[col.framework];
      const MeasuredCell& m = c.measured(col);
      out += std::string(fw.simulated ? "true" : "false") + "," + text::csv_field(fw.framework) +
             "," + text::csv_field(fw.model_preset) + "," + text::csv_field(fw.model) + "," +
             text::csv_field(cell.scenario) + "," + text::csv_field(cell.label) + "," +
             param_field(m.params, "concurrency") + "," + param_field(m.params, "input_tokens") +
             "," + param_field(m.params, "output_tokens") + "," +
             param_field(m.params, "num_requests") + "," + std::to_string(col.trials) + "," +
             std::to_string(m.measured) + "," + std::to_string(m.succeeded) + "," +
             (m.complete ? "true" : "false") + "," + text::csv_field(to_string(fw.source));
      for (const auto& metric : all_metrics()) {
        const auto& e = col.figures[static_cast<std::size_t>(metric.metric)];
        out += "," + number_field(e ? std::optional<double>(e->mean) : std::nullopt) + "," +
               number_field(e ? e->sd : std::nullopt);
      }
      out += "\n";
    }
  return out;
}

class CsvReporter final : public Reporter {
 public:
  std::string_view format() const override { return "csv"; }
  ReportOutput write(const Comparison& c, const std::filesystem::path& folder) const override {
    ReportOutput out;
    write_report_file(folder / "comparison.csv", csv(c), out);
    return out;
  }
};

}  // namespace

std::unique_ptr<Reporter> make_csv_reporter() {
  return std::make_unique<CsvReporter>();
}

}  // namespace servemeter
