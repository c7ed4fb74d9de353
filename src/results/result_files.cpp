#include "results/result_files.h"

#include <cstdio>

#include "results/atomic_file.h"
#include "results/requests_jsonl.h"
#include "results/results_json.h"

namespace servemeter {

std::string file_safe(std::string name) {
  for (char& c : name)
    if (c == '/' || c == ':' || c == ' ' || c == '\\') c = '-';
  return name;
}

ResultPaths result_paths(const std::filesystem::path& results_dir, const std::string& framework,
                         const std::string& model) {
  const auto folder = results_dir / file_safe(framework);
  const std::string stem = file_safe(framework) + "_" + file_safe(model);
  return {folder / (stem + "_results.json"), folder / (stem + "_requests.jsonl")};
}

ResultPaths write_result_files(const std::filesystem::path& results_dir, const RunDocument& run) {
  const ResultPaths paths = result_paths(results_dir, run.meta.framework, run.meta.model);
  ensure_writable_folder(paths.results_json.parent_path());
  std::string lines;
  for (const auto& cell : run.cells)
    for (const auto& trial : cell.trials)
      for (const auto& record : trial) {
        lines += request_json(record, cell.scenario).dump();
        lines += '\n';
      }
  write_file_atomically(paths.requests_jsonl, lines);
  write_file_atomically(paths.results_json, results_json(run).dump(2) + "\n");
  return paths;
}

std::string summary_line(const CellRun& cell) {
  const auto figures = results_json(RunDocument{{}, {cell}})["results"][0];
  auto number = [&](const char* field, const char* format) {
    const auto& v = figures[field];
    if (!v.is_number()) return std::string("n/a");
    char text[64];
    std::snprintf(text, sizeof text, format, v.get<double>());
    return std::string(text);
  };
  const auto concurrency =
      cell.params.contains("concurrency") ? cell.params["concurrency"].dump() : std::string("?");
  return "[" + cell.scenario + "] " + cell.cell + " conc=" + concurrency +
         " | TTFT=" + number("avg_ttft_ms", "%.1f") + "ms" +
         " | throughput=" + number("output_throughput_tok_s", "%.1f") + "tok/s" +
         " | p99=" + number("p99_latency_ms", "%.1f") + "ms" +
         " | success=" + number("success_rate", "%.1f") + "%";
}

}  // namespace servemeter
