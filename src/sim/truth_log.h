#pragma once
// The simulator's ground truth, one JSON line per request, so tests can measure the client's
// timing error. Times are CLOCK_MONOTONIC ns (core/clock.h), the same clock the client stamps
// with on the same machine:
//   arrival_ns      the kernel received the request's last bytes (SO_TIMESTAMPNS; the time of
//                   the read where the kernel gives no stamp). Fixed timing counts from here.
//   read_ns         the simulator's thread had the whole request parsed, before routing: the
//                   gap from arrival_ns is the simulator's own intake delay
//   first_token_ns  just before the socket write that carries the first token-bearing event
//                   (reasoning or content text; not a role-only chunk)
//   last_token_ns   just before the write that carries the last token-bearing event
//   end_ns          the response's last byte was handed to the socket (write completed)
// Appending is a memcpy into a buffer; a timer on the server thread writes it out every second
// and at stop.
#include <cstdint>
#include <cstdio>
#include <string>

namespace servemeter::sim {

struct TruthRecord {
  std::uint64_t id = 0;
  std::string client_id;  // X-Request-Id of the request, if any
  std::int64_t arrival_ns = 0;
  std::int64_t read_ns = 0;
  std::int64_t first_token_ns = -1;  // -1: none (written as null)
  std::int64_t last_token_ns = -1;
  std::int64_t end_ns = 0;
  int input_tokens = 0;
  int cached_tokens = 0;
  int output_tokens = 0;
  int status = 200;
  std::string fault;  // empty: none
};

class TruthLog {
 public:
  TruthLog() = default;
  ~TruthLog();
  TruthLog(const TruthLog&) = delete;
  TruthLog& operator=(const TruthLog&) = delete;

  // Opens (truncates) `path`. Throws std::runtime_error naming the path on failure.
  void open(const std::string& path);
  bool enabled() const { return file_ != nullptr; }
  void append(const TruthRecord& r);
  void flush();

 private:
  std::FILE* file_ = nullptr;
  std::string buffer_;
};

}  // namespace servemeter::sim
