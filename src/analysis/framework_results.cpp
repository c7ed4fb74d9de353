#include "analysis/framework_results.h"

#include <cmath>
#include <map>

#include "analysis/results_document.h"

namespace servemeter {
namespace {

using nlohmann::json;

std::string string_at(const json& object, const char* key, std::string fallback = {}) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : fallback;
}

std::optional<double> number_at(const json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_number()) return std::nullopt;
  const double v = it->get<double>();
  return std::isfinite(v) ? std::optional<double>(v) : std::nullopt;
}

// "128" for 128, "0.5" for 0.5: labels as the runbook's scenarios spell them.
std::string number_label(const json& v) {
  if (v.is_number_integer()) return std::to_string(v.get<std::int64_t>());
  if (v.is_number()) {
    const double d = v.get<double>();
    if (d == std::floor(d) && std::fabs(d) < 1e15) return std::to_string(static_cast<long long>(d));
    return json(d).dump();
  }
  return v.is_string() ? v.get<std::string>() : "?";
}

bool is_servemeter(const json& doc) {
  if (doc.contains("schema_version")) return true;
  const auto tool = doc.find("tool");
  return tool != doc.end() && tool->is_object() && string_at(*tool, "name") == "servemeter";
}

// The keys that say what a cell was, from params where recorded, else from the entry.
json cell_params(const json& entry) {
  json params = json::object();
  if (const auto it = entry.find("params"); it != entry.end() && it->is_object()) params = *it;
  for (const char* key : {"input_tokens", "output_tokens", "concurrency", "num_requests"})
    if (!params.contains(key) && entry.contains(key)) params[key] = entry[key];
  return params;
}

// Fields every reader relies on: reported when a hand edit gave them the wrong type.
void check_types(const json& figures, const std::string& where, std::vector<std::string>& out) {
  for (const auto& m : all_metrics()) {
    const auto it = figures.find(m.key);
    if (it == figures.end() || it->is_null() || it->is_number()) continue;
    out.push_back(where + ": '" + std::string(m.key) + "' is a " + it->type_name() +
                  ", not a number; it is left out");
  }
}

std::size_t count_at(const json& object, std::initializer_list<const char*> keys) {
  for (const char* key : keys)
    if (const auto v = number_at(object, key); v && *v >= 0)
      return static_cast<std::size_t>(std::llround(*v));
  return 0;
}

MeasuredCell read_entry(const json& entry, bool servemeter, const std::string& where,
                        std::vector<std::string>& problems) {
  MeasuredCell cell;
  cell.scenario = entry["scenario"].get<std::string>();
  cell.label = string_at(entry, "cell");
  if (cell.label.empty()) cell.label = derived_cell_label(cell.scenario, entry);
  cell.params = cell_params(entry);
  cell.open_loop = entry.value("open_loop", false);
  cell.complete = entry.value("complete", true);
  cell.stop_reason = string_at(entry, "stop_reason", "none");
  const auto trials = entry.find("trials");
  if (trials != entry.end() && trials->is_array() && !trials->empty()) {
    for (std::size_t i = 0; i < trials->size(); ++i) {
      const json& t = (*trials)[i];
      if (!t.is_object()) {
        problems.push_back(where + ": trial " + std::to_string(i) + " is not an object; left out");
        continue;
      }
      check_types(t, where + " trial " + std::to_string(i), problems);
      cell.trials.push_back(metrics_from_figures(t));
    }
  } else {
    check_types(entry, where, problems);
    cell.trials.push_back(metrics_from_figures(entry));
  }
  cell.trials_planned = static_cast<int>(count_at(entry, {"trials_planned", "num_trials"}));
  if (cell.trials_planned == 0) cell.trials_planned = static_cast<int>(cell.trials.size());
  if (servemeter) {
    cell.measured = count_at(entry, {"measured_requests_total", "num_requests"});
    cell.succeeded = count_at(entry, {"successful_requests_total", "successful_requests"});
    const json* errors = nullptr;
    for (const char* key : {"errors_total", "errors"})
      if (const auto it = entry.find(key); it != entry.end() && it->is_object()) {
        errors = &*it;
        break;
      }
    if (errors != nullptr)
      for (const auto& [kind, n] : errors->items())
        if (n.is_number() && n.get<double>() > 0)
          cell.errors.emplace_back(kind, static_cast<std::size_t>(n.get<double>()));
  } else {
    cell.measured = count_at(entry, {"num_requests"});
    if (const auto rate = number_at(entry, "success_rate"))
      cell.succeeded =
          static_cast<std::size_t>(std::llround(static_cast<double>(cell.measured) * *rate / 100));
  }
  return cell;
}

}  // namespace

std::string_view to_string(ResultsSource source) {
  switch (source) {
    case ResultsSource::raw_log:
      return "raw log";
    case ResultsSource::servemeter_results:
      return "servemeter results file (no raw log)";
    case ResultsSource::runbook_results:
      return "runbook results file";
  }
  return "?";
}

std::string derived_cell_label(const std::string& scenario, const json& entry) {
  const auto part = [&](const char* key, const char* name) -> std::string {
    const auto it = entry.find(key);
    if (it == entry.end() || it->is_null()) return {};
    return std::string(name) + "=" + number_label(*it);
  };
  const auto join = [](std::initializer_list<std::string> parts) {
    std::string out;
    for (const auto& p : parts) {
      if (p.empty()) continue;
      if (!out.empty()) out += ",";
      out += p;
    }
    return out;
  };
  const std::string in = part("input_tokens", "in"), out = part("output_tokens", "out"),
                    conc = part("concurrency", "conc");
  if (scenario == "single_request") return join({in, out});
  if (scenario == "prefix_cache") return join({"shared", out});
  if (scenario == "prefix_cache_control") return join({"unique", out});
  if (scenario == "korean_ko" || scenario == "korean_en") return join({conc, out});
  return join({in, out, conc});
}

DocumentReading framework_results_from_document(const json& doc, const std::string& source_file) {
  DocumentReading reading;
  if (!doc.is_object()) {
    reading.error = std::string("the document is a JSON ") + doc.type_name() +
                    ", not an object with a \"results\" array";
    return reading;
  }
  const auto results = doc.find("results");
  if (results == doc.end() || !results->is_array()) {
    reading.error = "it has no \"results\" array: not a results file of servemeter or the runbook";
    return reading;
  }
  FrameworkResults fw;
  const bool servemeter = is_servemeter(doc);
  const int schema = doc.value("schema_version", 0) == 1 ? 1 : 2;
  fw.source = servemeter ? ResultsSource::servemeter_results : ResultsSource::runbook_results;
  fw.source_file = source_file;
  fw.framework = string_at(doc, "framework");
  if (servemeter && schema == 1) {
    fw.model_preset = string_at(doc, "model");
    fw.model = string_at(doc, "model_id", fw.model_preset);
  } else {
    fw.model = string_at(doc, "model");
    fw.model_preset = string_at(doc, "model_preset", fw.model);
  }
  if (fw.model_preset.empty()) fw.model_preset = fw.model;
  fw.key = fw.framework + "_" + fw.model_preset;
  fw.simulated = doc.value("simulated", false);
  fw.time_scale = doc.contains("time_scale") && doc["time_scale"].is_number()
                      ? doc["time_scale"].get<double>()
                      : 1.0;
  if (const auto tool = doc.find("tool"); tool != doc.end() && tool->is_object())
    fw.tool_version = string_at(*tool, "version");
  if (const auto it = doc.find("server_info"); it != doc.end() && !it->is_null())
    fw.server_info = *it;
  if (const auto it = doc.find("gpu_info"); it != doc.end() && it->is_object()) fw.gpu_info = *it;
  fw.document = doc;

  std::map<std::pair<std::string, std::string>, std::size_t> seen;
  for (std::size_t i = 0; i < results->size(); ++i) {
    const json& entry = (*results)[i];
    const std::string where = source_file + " results[" + std::to_string(i) + "]";
    if (!entry.is_object() || !entry.contains("scenario") || !entry["scenario"].is_string()) {
      fw.problems.push_back(where + " skipped: " +
                            (entry.is_object() ? std::string("it has no \"scenario\" string")
                                               : std::string("not an object")));
      ++reading.skipped_entries;
      continue;
    }
    MeasuredCell cell = read_entry(entry, servemeter, where, fw.problems);
    if (const auto trials = entry.find("trials"); trials != entry.end() && trials->is_array())
      for (const auto& t : *trials)
        if (t.is_object())
          if (const auto tel = t.find("telemetry"); tel != t.end() && tel->is_object())
            fw.telemetry.push_back(*tel);
    const auto identity = std::make_pair(cell.scenario, cell.label);
    if (const auto it = seen.find(identity); it != seen.end()) {
      fw.problems.push_back(where + " measures " + cell.scenario + " " + cell.label +
                            " again; the later entry is used");
      fw.cells[it->second] = std::move(cell);
      continue;
    }
    seen.emplace(identity, fw.cells.size());
    fw.cells.push_back(std::move(cell));
  }
  if (const auto it = doc.find("problems"); it != doc.end() && it->is_array())
    for (const auto& p : *it)
      if (p.is_string()) fw.problems.push_back(source_file + ": " + p.get<std::string>());

  const bool any_trials = [&] {
    for (const auto& c : fw.cells)
      if (c.trials.size() > 1) return true;
    return false;
  }();
  if (fw.source == ResultsSource::runbook_results) {
    fw.missing.push_back(
        "per-request values (a runbook results file has none): the prefix-cache order (first "
        "request, first 5 vs the rest), the Korean/English pairs, pooled percentiles, and the "
        "per-request tests of H1, H3 and H5");
    if (!any_trials)
      fw.missing.push_back(
          "trials (one value per figure and cell): no mean ± sd, and no per-trial tests (H2, "
          "H4)");
    fw.missing.push_back(
        "figures the runbook's schema does not have: time to first content, TPOT, output "
        "characters per second, token totals (shown as —)");
  } else {
    fw.missing.push_back(
        "per-request values (the raw log " + fw.framework +
        "_…_requests.jsonl is not there): "
        "the prefix-cache order, the Korean/English pairs, and the per-request tests of H1, H3 "
        "and H5");
  }
  reading.results = std::move(fw);
  return reading;
}

FrameworkResults framework_results_from_log(const FrameworkLog& log,
                                            const std::string& source_file) {
  const json doc = results_document(log);
  DocumentReading reading = framework_results_from_document(doc, source_file);
  FrameworkResults fw = std::move(*reading.results);  // results_document always has results[]
  fw.source = ResultsSource::raw_log;
  fw.missing.clear();  // the document's own problems (the log's) are already in fw.problems
  // The document's entries follow the log's cells; a label measured twice with different
  // parameters keeps the later entry, as the document reader does.
  std::map<std::pair<std::string, std::string>, const CellDigest*> digests;
  for (const auto& digest : log.cells) digests[{digest.info.scenario, digest.info.cell}] = &digest;
  for (MeasuredCell& cell : fw.cells) {
    const auto it = digests.find({cell.scenario, cell.label});
    if (it == digests.end()) continue;
    const CellDigest& digest = *it->second;
    cell.rows = digest.rows;
    cell.rows_available = true;
    cell.rows_truncated = digest.rows_truncated;
    cell.items = digest.info.items;
    if (digest.rows_truncated)
      fw.problems.push_back(source_file + ": " + cell.scenario + " " + cell.label +
                            ": more requests than the per-request analyses keep; the first " +
                            std::to_string(digest.rows.size()) + " are used there");
  }
  if (!log.runs.empty()) fw.server_info = log.runs.back().server_info;
  return fw;
}

}  // namespace servemeter
