#pragma once
// What a `servemeter run` left on disk, read back independently of servemeter's own readers (plain
// nlohmann parsing of every line), and the accounting every fault test checks: each request sent
// is one line of the raw log, counted once in the trial's counts and once in the results.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace servemeter::e2e {

// One cell line and what followed it up to the next cell or run line.
struct LogSegment {
  nlohmann::json cell;
  std::vector<nlohmann::json> requests;
  std::vector<nlohmann::json> trial_ends;
  std::optional<nlohmann::json> cell_end;

  std::string key() const { return cell.value("cell_key", std::string()); }
  // Lines of measured requests (warm-up excluded) by error kind; "none" for a success.
  std::map<std::string, int> measured_kinds() const {
    std::map<std::string, int> kinds;
    for (const auto& r : requests)
      if (!r.value("warmup", false))
        ++kinds[r["error"].is_null() ? "none" : r["error"].get<std::string>()];
    return kinds;
  }
  long trial_sum(const char* field) const {
    long sum = 0;
    for (const auto& t : trial_ends) sum += t.value(field, 0L);
    return sum;
  }
};

struct RawLog {
  std::vector<nlohmann::json> runs;
  std::vector<LogSegment> segments;
  int bad_lines = 0;             // whole lines that are not JSON objects with a type
  bool unfinished_tail = false;  // the file does not end with a newline
  std::string tail;              // that unfinished last line
  std::size_t request_lines() const {
    std::size_t n = 0;
    for (const auto& s : segments) n += s.requests.size();
    return n;
  }
};

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// The whole file must be JSON: a results file is written atomically, never half.
inline nlohmann::json read_json(const std::filesystem::path& path) {
  const auto doc = nlohmann::json::parse(read_text(path), nullptr, false);
  EXPECT_FALSE(doc.is_discarded()) << path << " is not one complete JSON document";
  return doc;
}

inline RawLog read_raw_log(const std::filesystem::path& path) {
  RawLog log;
  const std::string text = read_text(path);
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    if (end == std::string::npos) {
      log.unfinished_tail = true;
      log.tail = text.substr(start);
      break;
    }
    const auto line = nlohmann::json::parse(text.substr(start, end - start), nullptr, false);
    start = end + 1;
    if (line.is_discarded() || !line.is_object() || !line.contains("type")) {
      ++log.bad_lines;
      continue;
    }
    const std::string type = line["type"];
    if (type == "run") {
      log.runs.push_back(line);
    } else if (type == "cell") {
      log.segments.push_back({line, {}, {}, std::nullopt});
    } else if (log.segments.empty()) {
      ++log.bad_lines;  // every other line belongs to a cell
    } else if (type == "request") {
      log.segments.back().requests.push_back(line);
    } else if (type == "trial_end") {
      log.segments.back().trial_ends.push_back(line);
    } else if (type == "cell_end") {
      log.segments.back().cell_end = line;
    } else {
      ++log.bad_lines;
    }
  }
  return log;
}

// Every request of the segment is accounted for, in the raw log and in the results entry made
// from it: sent = lines = completed; failed = lines with an error; measured (cancelled ones
// aside) = successes + failures by kind; the success rate is what those counts say.
inline void expect_accounted(const LogSegment& segment, const nlohmann::json& entry) {
  SCOPED_TRACE("cell " + segment.key());
  const long lines = static_cast<long>(segment.requests.size());
  EXPECT_EQ(segment.trial_sum("sent"), lines);
  EXPECT_EQ(segment.trial_sum("completed"), lines);
  long failed = 0, cancelled = 0;
  for (const auto& r : segment.requests) {
    failed += !r["error"].is_null();
    cancelled += r["error"] == "cancelled";
  }
  EXPECT_EQ(segment.trial_sum("failed"), failed);
  EXPECT_EQ(segment.trial_sum("cancelled"), cancelled);

  auto kinds = segment.measured_kinds();
  const int measured_cancelled = kinds["cancelled"];
  kinds.erase("cancelled");
  int measured = 0;
  for (const auto& [kind, n] : kinds) measured += n;
  EXPECT_EQ(entry.value("measured_requests_total", -1.0), measured);
  EXPECT_EQ(entry.value("successful_requests_total", -1.0), kinds["none"]);
  EXPECT_EQ(entry.value("cancelled_requests_total", 0.0), measured_cancelled);
  std::map<std::string, int> failures(kinds);
  failures.erase("none");
  std::map<std::string, int> reported;
  for (const auto& [kind, n] : entry["errors_total"].items()) reported[kind] = n.get<int>();
  EXPECT_EQ(reported, failures);
  if (measured > 0) {
    EXPECT_NEAR(entry["success_rate"].get<double>(), 100.0 * kinds["none"] / measured, 1e-9);
  }
}

}  // namespace servemeter::e2e
