#include "scenario/scenario_spec.h"

#include <yaml-cpp/yaml.h>

#include <array>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include "core/data_dir.h"
#include "core/text.h"

namespace servemeter {
namespace {

constexpr std::array<std::pair<PromptSource, std::string_view>, 6> kSources{{
    {PromptSource::corpus_en, "corpus_en"},
    {PromptSource::corpus_ko, "corpus_ko"},
    {PromptSource::korean_ko, "korean_ko"},
    {PromptSource::korean_en, "korean_en"},
    {PromptSource::prefix_shared, "prefix_shared"},
    {PromptSource::prefix_unique, "prefix_unique"},
}};

const std::set<std::string> kCellKeys = {
    "result_name", "label",        "prompts",      "input_tokens",    "output_tokens",
    "concurrency", "request_rate", "burstiness",   "max_concurrency", "num_requests",
    "warmup",      "flush_cache",  "system_prompt"};
constexpr const char* kKnownCellKeys =
    "burstiness, concurrency, flush_cache, input_tokens, label, max_concurrency, num_requests, "
    "output_tokens, prompts, request_rate, result_name, system_prompt, warmup";

// Where in the file a value sits, for messages: "scenario file X, cell 2".
struct Where {
  std::string file;
  std::string part;
  std::string text() const { return "scenario file " + file + (part.empty() ? "" : ", " + part); }
};

[[noreturn]] void fail(const Where& where, const std::string& what) {
  throw ScenarioError(where.text() + ": " + what);
}

std::string kind_of(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "'" + node.Scalar() + "'";
    default:
      return "empty";
  }
}

long long whole(const YAML::Node& node, const Where& where, const std::string& key, long long min,
                long long max) {
  long long value = 0;
  if (!node.IsScalar() || !YAML::convert<long long>::decode(node, value))
    fail(where, "'" + key + "' must be a whole number, but it is " + kind_of(node));
  if (value < min || value > max)
    fail(where, key + " " + std::to_string(value) + " is out of range (" + std::to_string(min) +
                    " to " + std::to_string(max) + ")");
  return value;
}

double number(const YAML::Node& node, const Where& where, const std::string& key,
              bool allow_infinity) {
  if (node.IsScalar() && allow_infinity && (node.Scalar() == "inf" || node.Scalar() == ".inf"))
    return std::numeric_limits<double>::infinity();
  double value = 0;
  if (!node.IsScalar() || !YAML::convert<double>::decode(node, value) || std::isnan(value) ||
      std::isinf(value))
    fail(where, "'" + key + "' must be a number" + (allow_infinity ? " (or inf)" : "") +
                    ", but it is " + kind_of(node));
  if (value <= 0) fail(where, key + " must be greater than 0 (it is " + node.Scalar() + ")");
  return value;
}

std::string text(const YAML::Node& node, const Where& where, const std::string& key) {
  if (!node.IsScalar()) fail(where, "'" + key + "' must be text, but it is " + kind_of(node));
  return node.Scalar();
}

bool flag(const YAML::Node& node, const Where& where, const std::string& key) {
  bool value = false;
  if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value))
    fail(where, "'" + key + "' must be true or false, but it is " + kind_of(node));
  return value;
}

// Cell settings from `defaults` overlaid with the cell's own.
CellSpec read_cell(const YAML::Node& defaults, const YAML::Node& cell, const Where& where) {
  std::map<std::string, YAML::Node> merged;
  for (const YAML::Node* layer : {&defaults, &cell}) {
    if (!*layer || layer->IsNull()) continue;
    if (!layer->IsMap())
      fail(where, std::string(layer == &defaults ? "'defaults'" : "the cell") +
                      " must be a map of settings, but it is " + kind_of(*layer));
    for (const auto& entry : *layer) {
      if (!entry.first.IsScalar()) fail(where, "a key must be text");
      const std::string key = entry.first.Scalar();
      if (!kCellKeys.contains(key))
        fail(where, "unknown key '" + key + "' (known: " + kKnownCellKeys + ")");
      merged[key] = entry.second;
    }
  }
  auto has = [&](const char* key) { return merged.contains(key); };
  CellSpec c;
  if (!has("result_name"))
    fail(where, "no 'result_name' (the scenario name its results carry, e.g. single_request)");
  c.result_name = text(merged["result_name"], where, "result_name");
  if (c.result_name.empty() || c.result_name.find_first_not_of(
                                   "abcdefghijklmnopqrstuvwxyz0123456789_-") != std::string::npos)
    fail(where,
         "result_name '" + c.result_name + "' must be lower-case letters, digits, '_' and '-'");
  if (has("prompts")) {
    const std::string name = text(merged["prompts"], where, "prompts");
    const auto source = parse_prompt_source(name);
    if (!source)
      fail(where, "prompts '" + name +
                      "' is not a prompt source (known: corpus_en, corpus_ko, korean_ko, "
                      "korean_en, prefix_shared, prefix_unique)");
    c.prompts = *source;
  }
  if (has_exact_length(c.prompts)) {
    if (!has("input_tokens"))
      fail(where, "prompts " + std::string(to_string(c.prompts)) +
                      " needs 'input_tokens' (the prompt length)");
    c.input_tokens =
        static_cast<int>(whole(merged["input_tokens"], where, "input_tokens", 1, 1'000'000));
  } else if (has("input_tokens")) {
    fail(where,
         "prompts " + std::string(to_string(c.prompts)) + " are fixed texts: drop 'input_tokens'");
  }
  if (!has("output_tokens")) fail(where, "no 'output_tokens' (max_tokens of every request)");
  c.output_tokens =
      static_cast<int>(whole(merged["output_tokens"], where, "output_tokens", 1, 1'000'000));
  if (has("concurrency") == has("request_rate"))
    fail(where, "give either 'concurrency' (closed loop) or 'request_rate' (open loop), not " +
                    std::string(has("concurrency") ? "both" : "neither"));
  if (has("concurrency"))
    c.concurrency =
        static_cast<int>(whole(merged["concurrency"], where, "concurrency", 1, 100'000));
  if (has("request_rate"))
    c.request_rate = number(merged["request_rate"], where, "request_rate", true);
  if (has("burstiness")) {
    if (!c.request_rate) fail(where, "'burstiness' shapes an open loop: it needs 'request_rate'");
    c.burstiness = number(merged["burstiness"], where, "burstiness", false);
  }
  if (has("max_concurrency")) {
    if (!c.request_rate)
      fail(where,
           "'max_concurrency' caps an open loop: it needs 'request_rate' (or use "
           "'concurrency')");
    c.max_concurrency =
        static_cast<int>(whole(merged["max_concurrency"], where, "max_concurrency", 1, 100'000));
  }
  if (!has("num_requests")) fail(where, "no 'num_requests' (measured requests per trial)");
  c.num_requests =
      static_cast<int>(whole(merged["num_requests"], where, "num_requests", 1, 100'000'000));
  if (has("warmup"))
    c.warmup = static_cast<int>(whole(merged["warmup"], where, "warmup", 0, 100'000));
  if (has("flush_cache")) c.flush_cache = flag(merged["flush_cache"], where, "flush_cache");
  if (has("system_prompt")) {
    if (!has_exact_length(c.prompts)) fail(where, "'system_prompt' goes with corpus prompts only");
    c.system_prompt = text(merged["system_prompt"], where, "system_prompt");
    if (!is_valid_utf8(c.system_prompt))
      fail(where,
           "'system_prompt' is not valid UTF-8: requests carry it as JSON text, so save the "
           "file in UTF-8");
  }
  if (has("label")) {
    c.label = text(merged["label"], where, "label");
  } else {
    if (c.input_tokens) c.label = "in=" + std::to_string(*c.input_tokens) + ",";
    c.label += "out=" + std::to_string(c.output_tokens);
    if (c.concurrency) c.label += ",conc=" + std::to_string(*c.concurrency);
    if (c.request_rate) {
      std::ostringstream rate;
      rate << *c.request_rate;
      c.label += ",rate=" + rate.str();
    }
  }
  return c;
}

// YAML forbids tabs in indentation; yaml-cpp's own message for it is cryptic.
void reject_tab_indentation(std::string_view yaml, const std::string& name) {
  std::size_t line = 1;
  bool at_line_start = true;
  for (const char c : yaml) {
    if (c == '\n') {
      ++line;
      at_line_start = true;
    } else if (at_line_start && c == '\t') {
      throw ScenarioError("scenario file " + name + ", line " + std::to_string(line) +
                          ": a tab in the indentation; YAML indents with spaces");
    } else if (c != ' ') {
      at_line_start = false;
    }
  }
}

}  // namespace

std::string_view to_string(PromptSource source) noexcept {
  for (const auto& [s, name] : kSources)
    if (s == source) return name;
  return "corpus_en";
}

std::optional<PromptSource> parse_prompt_source(std::string_view name) noexcept {
  for (const auto& [s, n] : kSources)
    if (n == name) return s;
  return std::nullopt;
}

bool has_exact_length(PromptSource source) noexcept {
  return source == PromptSource::corpus_en || source == PromptSource::corpus_ko;
}

ScenarioSpec parse_scenario(std::string_view yaml, const std::string& name) {
  if (yaml.find_first_not_of(" \t\r\n") == std::string_view::npos)
    throw ScenarioError("scenario file " + name +
                        " is empty; see docs/scenarios.md for the format");
  reject_tab_indentation(yaml, name);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    throw ScenarioError("scenario file " + name + " is not valid YAML: " + e.what());
  }
  const Where top{name, ""};
  if (!root.IsMap())
    fail(top, "the top level must be a map with 'name' and 'cells', but it is " + kind_of(root));
  for (const auto& entry : root) {
    const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : "?";
    if (key != "name" && key != "description" && key != "defaults" && key != "cells")
      fail(top, "unknown top-level key '" + key + "' (known: name, description, defaults, cells)");
  }
  ScenarioSpec spec;
  spec.source = name;
  if (!root["name"]) fail(top, "no 'name' (what --scenario will call it)");
  spec.name = text(root["name"], top, "name");
  if (spec.name.empty() || spec.name == "all" ||
      spec.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-") != std::string::npos)
    fail(top,
         "name '" + spec.name + "' must be lower-case letters, digits, '_' and '-' (not 'all')");
  if (root["description"]) spec.description = text(root["description"], top, "description");
  const YAML::Node cells = root["cells"];
  if (!cells || !cells.IsSequence() || cells.size() == 0)
    fail(top, "'cells' must be a non-empty list of cells");
  if (cells.size() > 10'000) fail(top, "more than 10,000 cells");
  std::set<std::string> seen;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    CellSpec cell = read_cell(root["defaults"], cells[i], {name, "cell " + std::to_string(i + 1)});
    if (!seen.insert(cell.result_name + "|" + cell.label).second)
      fail({name, "cell " + std::to_string(i + 1)},
           "two cells are both " + cell.result_name + " " + cell.label + "; give them labels");
    spec.cells.push_back(std::move(cell));
  }
  return spec;
}

ScenarioSpec load_scenario_file(const std::filesystem::path& file) {
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec))
    throw ScenarioError("scenario file " + file.string() + " is a directory; give a YAML file");
  std::ifstream in(file, std::ios::binary);
  if (!in.is_open())
    throw ScenarioError("cannot read scenario file " + file.string() +
                        " (does it exist? is it readable?)");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_scenario(text.str(), file.string());
}

std::vector<std::string> builtin_scenario_names() {
  return {"single", "concurrent", "long_context", "prefix_cache", "korean"};
}

std::filesystem::path builtin_scenario_file(const std::string& name) {
  return data_dir() / "scenarios" / (name + ".yaml");
}

std::vector<ScenarioSpec> resolve_scenarios(const std::string& names) {
  const auto known = builtin_scenario_names();
  std::vector<std::string> wanted;
  std::stringstream list(names);
  for (std::string name; std::getline(list, name, ',');) {
    if (name == "all") {
      wanted.insert(wanted.end(), known.begin(), known.end());
    } else if (!name.empty()) {
      wanted.push_back(name);
    }
  }
  if (wanted.empty())
    throw ScenarioError("--scenario '" + names + "' names no scenario; choose from all, " +
                        "single, concurrent, long_context, prefix_cache, korean");
  std::vector<ScenarioSpec> specs;
  std::set<std::string> taken;
  for (const auto& name : wanted) {
    if (std::find(known.begin(), known.end(), name) == known.end())
      throw ScenarioError("unknown scenario '" + name +
                          "': choose from all, single, concurrent, long_context, prefix_cache, "
                          "korean (or give your own file with --scenario-file)");
    if (taken.insert(name).second) specs.push_back(load_scenario_file(builtin_scenario_file(name)));
  }
  return specs;
}

}  // namespace servemeter
