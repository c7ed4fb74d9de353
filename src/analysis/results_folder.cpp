#include "analysis/results_folder.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <sstream>

#include "analysis/results_document.h"
#include "results/atomic_file.h"

namespace servemeter {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::string_view kLogSuffix = "_requests.jsonl";
constexpr std::string_view kResultsSuffix = "_results.json";

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() > suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::vector<fs::path> sorted_entries(const fs::path& folder) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec))
    out.push_back(it->path());
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<std::string> read_text(const fs::path& path, std::string& why) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    why = "cannot be opened";
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    why = "cannot be read";
    return std::nullopt;
  }
  return text.str();
}

// A file name part back to the name it was made from (result_paths escapes bytes as %XX).
std::string unescape(const std::string& name) {
  std::string out;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '%' && i + 2 < name.size() &&
        std::isxdigit(static_cast<unsigned char>(name[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(name[i + 2]))) {
      out += static_cast<char>(std::stoi(name.substr(i + 1, 2), nullptr, 16));
      i += 2;
      continue;
    }
    out += name[i];
  }
  return out;
}

// One framework-and-model stem of a folder: its raw log and/or results file.
struct Stem {
  fs::path log, results;
};

class FolderReader {
 public:
  FolderReader(const fs::path& folder, const FolderOptions& options, FolderReading& out)
      : folder_(folder), options_(options), out_(out) {}

  void read() {
    for (const auto& sub : sorted_entries(folder_)) {
      const std::string name = sub.filename().string();
      std::error_code ec;
      if (!fs::is_directory(sub, ec) || name == "summary" || name.starts_with(".")) continue;
      std::map<std::string, Stem> stems;
      for (const auto& file : sorted_entries(sub)) {
        const std::string f = file.filename().string();
        if (ends_with(f, kLogSuffix))
          stems[f.substr(0, f.size() - kLogSuffix.size())].log = file;
        else if (ends_with(f, kResultsSuffix))
          stems[f.substr(0, f.size() - kResultsSuffix.size())].results = file;
      }
      for (const auto& [stem, files] : stems)
        read_stem(name, stem, files, sub / (stem + std::string(kResultsSuffix)));
    }
    std::stable_sort(out_.frameworks.begin(), out_.frameworks.end(), framework_order);
  }

 private:
  std::string relative(const fs::path& p) const {
    return p.lexically_relative(folder_).generic_string();
  }

  void skip(const fs::path& p, std::string reason) {
    out_.skipped.push_back({relative(p), std::move(reason)});
  }

  void read_stem(const std::string& folder_name, const std::string& stem, const Stem& files,
                 const fs::path& results_path) {
    std::optional<FrameworkResults> fw;
    if (!files.log.empty()) {
      fw = read_log(files.log);
      if (fw) refresh(results_path, fw->document);
    }
    if (!fw && !files.results.empty()) fw = read_results(files.results);
    if (!fw) return;
    // Files of schema 1 have no run line: the folder and the file name say what they are.
    if (fw->framework.empty()) {
      fw->framework = folder_name;
      fw->problems.push_back(fw->source_file +
                             " does not name its framework; the folder's name is used");
    }
    if (fw->model_preset.empty() && stem.starts_with(fw->framework + "_")) {
      fw->model_preset = unescape(stem.substr(fw->framework.size() + 1));
      if (fw->model.empty()) fw->model = fw->model_preset;
    }
    fw->key = fw->framework + "_" + fw->model_preset;
    for (const auto& other : out_.frameworks)
      if (other.key == fw->key) {
        skip(folder_ / fw->source_file, "it holds the same framework and model (" + fw->key +
                                            ") as " + other.source_file + ", which is used");
        return;
      }
    out_.frameworks.push_back(std::move(*fw));
  }

  std::optional<FrameworkResults> read_log(const fs::path& path) {
    FrameworkLog log;
    try {
      log = digest_log(path, options_.digest);
    } catch (const ReadError& e) {
      skip(path, e.what());
      return std::nullopt;
    }
    if (log.runs.empty() && log.cells.empty()) {
      skip(path, log.stats.lines == 0
                     ? std::string("it is empty")
                     : "no line of it could be read (" + std::to_string(log.stats.bad_lines) +
                           " bad lines" +
                           (log.problems.empty() ? std::string() : "; " + log.problems.front()) +
                           ")");
      return std::nullopt;
    }
    if (log.stats.bad_lines > 0)
      skip(path, std::to_string(log.stats.bad_lines) + " of its " +
                     std::to_string(log.stats.lines) + " lines could not be read and are left out" +
                     (log.problems.empty() ? std::string() : " (" + log.problems.front() + ")"));
    return framework_results_from_log(log, relative(path));
  }

  std::optional<FrameworkResults> read_results(const fs::path& path) {
    std::string why;
    const auto text = read_text(path, why);
    if (!text) {
      skip(path, why);
      return std::nullopt;
    }
    json doc;
    try {
      doc = json::parse(*text);
    } catch (const json::parse_error& e) {
      skip(path, std::string("not JSON: ") + e.what());
      return std::nullopt;
    }
    DocumentReading reading = framework_results_from_document(doc, relative(path));
    if (!reading.results) {
      skip(path, reading.error);
      return std::nullopt;
    }
    if (reading.skipped_entries > 0)
      skip(path, std::to_string(reading.skipped_entries) +
                     " of its results entries could not be read and are left out");
    return std::move(reading.results);
  }

  // The results file as `run` writes it from the same log; rewritten where it differs.
  void refresh(const fs::path& path, const json& document) {
    if (!options_.rewrite_results_files) return;
    const std::string text = results_document_text(document);
    std::string why;
    std::error_code ec;
    if (fs::exists(path, ec)) {
      const auto existing = read_text(path, why);
      if (existing && *existing == text) return;
      if (existing) {
        const json old = json::parse(*existing, nullptr, false);
        if (!old.is_discarded() && old.is_object() && !old.contains("schema_version") &&
            !old.contains("tool")) {
          out_.messages.push_back("kept " + path.string() +
                                  ": it is not servemeter's results file (its raw log is used)");
          return;
        }
      }
    }
    try {
      write_file_atomically(path, text);
      out_.messages.push_back("rewrote " + path.string() + " from its raw log");
    } catch (const OutputError& e) {
      out_.messages.push_back(std::string("could not rewrite the results file: ") + e.what());
    }
  }

  const fs::path& folder_;
  const FolderOptions& options_;
  FolderReading& out_;
};

}  // namespace

int framework_rank(const std::string& framework) {
  static const std::array<std::string_view, 4> known{"sglang", "vllm", "ollama", "llamacpp"};
  for (std::size_t i = 0; i < known.size(); ++i)
    if (framework == known[i]) return static_cast<int>(i);
  return static_cast<int>(known.size());
}

bool framework_order(const FrameworkResults& a, const FrameworkResults& b) {
  const int ra = framework_rank(a.framework), rb = framework_rank(b.framework);
  if (ra != rb) return ra < rb;
  if (a.framework != b.framework) return a.framework < b.framework;
  return a.model_preset < b.model_preset;
}

FolderReading read_results_folder(const fs::path& folder, const FolderOptions& options) {
  std::error_code ec;
  if (!fs::is_directory(folder, ec))
    throw ReadError("no results folder at " + folder.string() +
                    (fs::exists(folder, ec) ? ": it is not a directory" : ": it does not exist") +
                    "; run `servemeter run` first, or pass --results-dir");
  FolderReading out;
  FolderReader(folder, options, out).read();
  return out;
}

}  // namespace servemeter
