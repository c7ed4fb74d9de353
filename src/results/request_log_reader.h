#pragma once
// Reads a raw log back, line by line, without holding it in memory: schema 2 (typed lines, see
// log_lines.h) and the schema-1 files of earlier versions (request lines only). A line that
// cannot be read is reported and skipped; the rest of the file still counts.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/request_record.h"
#include "results/log_lines.h"
#include "results/request_line.h"

namespace servemeter {

class LogVisitor {
 public:
  virtual ~LogVisitor() = default;
  virtual void on_run(const RunInfo&) {}
  virtual void on_cell(const CellInfo&) {}
  // `record` and the views in `tags` are valid during the call only.
  virtual void on_request(const RequestRecord&, const RequestTags&) {}
  virtual void on_trial_end(const TrialEnd&) {}
  virtual void on_cell_end(const CellEnd&) {}
  virtual void on_bad_line(std::uint64_t /*line_number*/, std::string_view /*why*/) {}
};

struct LogReadStats {
  std::uint64_t lines = 0;
  std::uint64_t requests = 0;
  std::uint64_t bad_lines = 0;
  std::uint64_t bytes = 0;
  int schema = 0;                // 2, or 1 for a file of request lines only; 0 if empty
  bool unfinished_tail = false;  // the last line had no newline (an interrupted write): skipped
};

// Throws ReadError when the file cannot be opened or read at all.
class ReadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
LogReadStats read_request_log(const std::filesystem::path& path, LogVisitor& visitor);

}  // namespace servemeter
