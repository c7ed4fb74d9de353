#include "results/request_log_reader.h"

#include <fcntl.h>
#include <simdjson.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

namespace servemeter {
namespace {

// Reads of 256 KiB: the block stays in the L2 cache between the kernel's copy and the parsing.
constexpr std::size_t kBlock = 256 * 1024;
constexpr std::size_t kMaxLine = 64 * 1024 * 1024;  // a longer "line" is not ours

class File {
 public:
  explicit File(const std::filesystem::path& path)
      : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
    if (fd_ < 0) throw ReadError("cannot read " + path.string() + ": " + std::strerror(errno));
  }
  ~File() { ::close(fd_); }
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

struct Dispatcher {
  Dispatcher(LogVisitor& v, LogReadStats& s) : visitor(v), stats(s) {}
  LogVisitor& visitor;
  LogReadStats& stats;
  simdjson::dom::parser parser;
  RequestRecord record;
  RequestTags tags;

  void bad(std::uint64_t line_number, std::string_view why) {
    ++stats.bad_lines;
    visitor.on_bad_line(line_number, why);
  }

  // `line` is followed by at least SIMDJSON_PADDING readable bytes.
  void line(std::string_view text, std::uint64_t line_number) {
    ++stats.lines;
    // Request lines as this version writes them (nearly every line) are read without the
    // parser; anything else (older files, hand edits, damage) is parsed and judged below.
    if (read_written_request_line(text, record, tags)) {
      ++stats.requests;
      visitor.on_request(record, tags);
      return;
    }
    if (text.find_first_not_of(" \t\r") == std::string_view::npos) return;
    simdjson::dom::element doc;
    if (const auto error = parser.parse(text.data(), text.size(), false).get(doc)) {
      bad(line_number, std::string("not JSON: ") + simdjson::error_message(error));
      return;
    }
    std::string_view type;
    if (doc["type"].get_string().get(type) != simdjson::SUCCESS) {
      std::string_view schema;
      if (doc["schema"].get_string().get(schema) == simdjson::SUCCESS &&
          schema == kRequestSchemaV1) {
        if (stats.schema == 0) stats.schema = 1;
        request(doc, line_number);
        return;
      }
      bad(line_number, "a line without a \"type\"");
      return;
    }
    if (type == "request") {
      request(doc, line_number);
      return;
    }
    stats.schema = 2;
    // Run, cell and trial lines are few: a JSON document is simpler to read them with.
    const nlohmann::json parsed = nlohmann::json::parse(text, nullptr, false);
    if (parsed.is_discarded()) {
      bad(line_number, "not JSON");
      return;
    }
    try {
      if (type == "run") {
        visitor.on_run(run_info_from(parsed));
      } else if (type == "cell") {
        visitor.on_cell(cell_info_from(parsed));
      } else if (type == "trial_end") {
        visitor.on_trial_end(trial_end_from(parsed));
      } else if (type == "cell_end") {
        visitor.on_cell_end(cell_end_from(parsed));
      } else {
        bad(line_number, "unknown line type '" + std::string(type) + "'");
      }
    } catch (const std::exception& e) {
      bad(line_number, e.what());
    }
  }

  void request(simdjson::dom::element doc, std::uint64_t line_number) {
    const std::string why = read_request_line(doc, record, tags);
    if (!why.empty()) {
      bad(line_number, why);
      return;
    }
    ++stats.requests;
    visitor.on_request(record, tags);
  }
};

}  // namespace

LogReadStats read_request_log(const std::filesystem::path& path, LogVisitor& visitor) {
  LogReadStats stats;
  File file(path);
  Dispatcher dispatch(visitor, stats);
  // [begin, end) holds unread bytes; lines are parsed in place, padding lives past `end`.
  // A small file gets a small buffer (a digest reads logs of a few lines often).
  struct stat st {};
  const std::size_t size_hint = ::fstat(file.fd(), &st) == 0 && st.st_size > 0
                                    ? static_cast<std::size_t>(st.st_size)
                                    : kBlock;
  std::vector<char> buffer(std::min(kBlock, size_hint + 1) + simdjson::SIMDJSON_PADDING);
  std::size_t begin = 0, end = 0;
  std::uint64_t line_number = 0;
  bool eof = false;
  while (!eof || begin < end) {
    if (!eof) {
      if (begin > 0) {  // keep the unfinished line, at the front
        std::memmove(buffer.data(), buffer.data() + begin, end - begin);
        end -= begin;
        begin = 0;
      }
      if (buffer.size() - end <
          std::min(kBlock / 2, buffer.size() / 2) + simdjson::SIMDJSON_PADDING) {
        if (buffer.size() >= kMaxLine)
          throw ReadError("cannot read " + path.string() + ": line " +
                          std::to_string(line_number + 1) + " is longer than 64 MiB");
        buffer.resize(buffer.size() * 2);
      }
      const auto n =
          ::read(file.fd(), buffer.data() + end, buffer.size() - end - simdjson::SIMDJSON_PADDING);
      if (n < 0) {
        if (errno == EINTR) continue;
        throw ReadError("cannot read " + path.string() + ": " + std::strerror(errno));
      }
      if (n == 0) eof = true;
      end += static_cast<std::size_t>(n);
      stats.bytes += static_cast<std::uint64_t>(n);
    }
    std::memset(buffer.data() + end, ' ', simdjson::SIMDJSON_PADDING);
    for (;;) {
      const char* nl =
          static_cast<const char*>(std::memchr(buffer.data() + begin, '\n', end - begin));
      if (nl == nullptr) break;
      const std::size_t length = static_cast<std::size_t>(nl - (buffer.data() + begin));
      dispatch.line(std::string_view(buffer.data() + begin, length), ++line_number);
      begin += length + 1;
    }
    if (eof && begin < end) {
      stats.unfinished_tail = true;  // cut by a crash mid-write: not a whole line
      begin = end;
    }
  }
  return stats;
}

}  // namespace servemeter
