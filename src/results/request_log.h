#pragma once
// Appends to the raw log (`<framework>_<model>_requests.jsonl`): whole lines only, request lines
// as requests finish, so memory stays flat however long the run and a crash loses at most the
// lines not yet flushed (at most one buffer, never a partial line that a reader would keep).
#include <cstdint>
#include <filesystem>
#include <string>

#include "load/record_sink.h"
#include "results/log_lines.h"

namespace servemeter {

class RequestLogWriter final : public load::RecordSink {
 public:
  // Opens (creating folders) for appending and takes an exclusive lock on the file, so two runs
  // cannot interleave their lines. A last line left unfinished by a crash is cut off first.
  // Throws OutputError (results/atomic_file.h) naming the path and what to do.
  explicit RequestLogWriter(const std::filesystem::path& path);
  ~RequestLogWriter() override;
  RequestLogWriter(const RequestLogWriter&) = delete;
  RequestLogWriter& operator=(const RequestLogWriter&) = delete;

  void write_run(const RunInfo& run);
  // Request lines that follow carry `scenario`; `cell` is the record's own label.
  void begin_cell(const CellInfo& cell);
  void on_record(const RequestRecord& record) override;
  // Flushes and syncs: a trial's end is a point a resumed run can rely on.
  void end_trial(const TrialEnd& trial);
  void end_cell(const CellEnd& cell);
  // Writes what is buffered (whole lines). Throws OutputError.
  void flush();

  const std::filesystem::path& path() const noexcept { return path_; }
  // Where the log continues since writing to path() failed (a full disk, a removed folder):
  // a copy of it and every line after. Empty while path() works.
  const std::filesystem::path& fallback_path() const noexcept { return fallback_path_; }
  const std::string& failure() const noexcept { return failure_; }  // why path() failed
  std::int64_t lines_written() const noexcept { return lines_; }

 private:
  void line(const nlohmann::json& value);
  // Writes buffer_ to the file in use, moving to the fallback file when that fails.
  void write_buffer();
  void open_fallback();

  std::filesystem::path path_;
  std::filesystem::path fallback_path_;
  std::string failure_;
  std::string deferred_error_;  // a write that failed inside on_record, raised at end_trial
  int fd_ = -1;
  std::string scenario_;
  std::string buffer_;
  std::int64_t lines_ = 0;
};

}  // namespace servemeter
