#include "results/request_log.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "results/atomic_file.h"
#include "results/request_line.h"

namespace servemeter {
namespace {

constexpr std::size_t kFlushBytes = 256 * 1024;

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path, int error) {
  throw OutputError("cannot " + what + " " + path.string() + ": " + std::strerror(error) +
                    " (choose a writable folder with --results-dir)");
}

// A crash can leave a last line without its newline: cut it, so appended lines start clean.
void cut_unfinished_line(int fd, const std::filesystem::path& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) fail("inspect", path, errno);
  off_t size = st.st_size;
  if (size == 0) return;
  char last = '\n';
  if (::pread(fd, &last, 1, size - 1) != 1) fail("read", path, errno);
  if (last == '\n') return;
  char block[4096];
  off_t end = size;
  while (end > 0) {
    const off_t start = end > static_cast<off_t>(sizeof block) ? end - sizeof block : 0;
    const auto n = ::pread(fd, block, static_cast<std::size_t>(end - start), start);
    if (n <= 0) fail("read", path, errno);
    for (auto i = n; i > 0; --i) {
      if (block[i - 1] == '\n') {
        if (::ftruncate(fd, start + i) != 0) fail("repair", path, errno);
        return;
      }
    }
    end = start;
  }
  if (::ftruncate(fd, 0) != 0) fail("repair", path, errno);
}

// Writes all of [data, data + size); false with errno set on failure.
bool write_all(int fd, const char* data, std::size_t size) {
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::write(fd, data + done, size - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  return true;
}

std::filesystem::path fallback_folder() {
  if (const char* tmp = std::getenv("TMPDIR"); tmp != nullptr && *tmp != '\0') return tmp;
  return "/tmp";
}

}  // namespace

RequestLogWriter::RequestLogWriter(const std::filesystem::path& path) : path_(path) {
  ensure_writable_folder(path.parent_path().empty() ? "." : path.parent_path());
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) fail("open", path, errno);
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    ::close(fd_);
    fd_ = -1;
    if (error == EWOULDBLOCK)
      throw OutputError("another servemeter run is writing " + path.string() +
                        "; wait for it to finish, or give this run another --results-dir");
    fail("lock", path, error);
  }
  cut_unfinished_line(fd_, path);
  buffer_.reserve(kFlushBytes + 64 * 1024);
}

RequestLogWriter::~RequestLogWriter() {
  if (fd_ < 0) return;
  try {
    flush();
  } catch (const OutputError&) {
    // The caller already learnt of the failure from an earlier flush, or will from the results.
  }
  ::close(fd_);
}

void RequestLogWriter::line(const nlohmann::json& value) {
  buffer_ += value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  buffer_ += '\n';
  ++lines_;
}

void RequestLogWriter::write_run(const RunInfo& run) {
  line(to_json(run));
  flush();
}

void RequestLogWriter::begin_cell(const CellInfo& cell) {
  scenario_ = cell.scenario;
  line(to_json(cell));
  flush();
}

void RequestLogWriter::on_record(const RequestRecord& record) {
  append_request_line(buffer_, record, scenario_);
  ++lines_;
  if (buffer_.size() < kFlushBytes) return;
  // Called from the load generator's loop: an exception must not unwind through it. The error
  // is raised at the trial's end instead, and the lines of this buffer are lost with it.
  try {
    flush();
  } catch (const OutputError& e) {
    if (deferred_error_.empty()) deferred_error_ = e.what();
    buffer_.clear();
  }
}

void RequestLogWriter::end_trial(const TrialEnd& trial) {
  if (!deferred_error_.empty()) throw OutputError(deferred_error_);
  line(to_json(trial));
  flush();
  if (::fdatasync(fd_) != 0) fail("sync", path_, errno);
}

void RequestLogWriter::end_cell(const CellEnd& cell) {
  line(to_json(cell));
  flush();
  if (::fdatasync(fd_) != 0) fail("sync", path_, errno);
}

void RequestLogWriter::flush() {
  if (buffer_.empty()) return;
  write_buffer();
  buffer_.clear();
}

void RequestLogWriter::write_buffer() {
  if (write_all(fd_, buffer_.data(), buffer_.size())) return;
  if (!fallback_path_.empty()) fail("write", fallback_path_, errno);
  failure_ = "cannot write " + path_.string() + ": " + std::strerror(errno);
  open_fallback();
  if (!write_all(fd_, buffer_.data(), buffer_.size())) fail("write", fallback_path_, errno);
}

// The primary file stays as it is; the fallback starts as a copy of it, so it is a whole log.
void RequestLogWriter::open_fallback() {
  fallback_path_ = fallback_folder() /
                   ("servemeter-" + std::to_string(::getpid()) + "-" + path_.filename().string());
  const int fallback =
      ::open(fallback_path_.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
  if (fallback < 0) fail("create the fallback file", fallback_path_, errno);
  struct stat st {};
  const off_t size = ::fstat(fd_, &st) == 0 ? st.st_size : 0;
  char block[64 * 1024];
  for (off_t offset = 0; offset < size;) {
    const auto n = ::pread(fd_, block, std::min<off_t>(sizeof block, size - offset), offset);
    if (n <= 0) break;
    if (!write_all(fallback, block, static_cast<std::size_t>(n)))
      fail("write", fallback_path_, errno);
    offset += n;
  }
  ::close(fd_);
  fd_ = fallback;
  cut_unfinished_line(fd_, fallback_path_);
}

}  // namespace servemeter
