// SseFramer against a plain model of its rules: fed in the fuzzer's reads, one byte per read and
// in one piece, it must hand over the model's events, each stamped with the read that completed
// it, and report pending bytes exactly when the model has some.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_reads.h"
#include "protocol/sse_framer.h"

namespace servemeter::fuzz {
namespace {

constexpr std::int64_t kFinishStamp = -1;
constexpr std::size_t kMaxByteByByte = 2048;  // longer streams: too slow one byte at a time

struct Event {
  std::string data;
  std::int64_t stamp;
  bool operator==(const Event&) const = default;
};

struct Framed {
  std::vector<Event> events;
  bool pending_before_finish = false;
};

std::int64_t stamp_of(std::size_t read) {
  return static_cast<std::int64_t>(read) + 1;
}

// `in_place`: the reads are handed over as they are, not each in its own heap block.
Framed frame(const std::vector<std::string_view>& reads, bool in_place = false) {
  SseFramer framer;
  Framed out;
  auto sink = [&](std::string_view data, std::int64_t stamp) {
    out.events.push_back({std::string(data), stamp});
  };
  auto feed = [&](std::string_view read, std::size_t i) { framer.feed(read, stamp_of(i), sink); };
  if (in_place) {
    for_each_view(reads, feed);
  } else {
    for_each_read(reads, feed);
  }
  out.pending_before_finish = framer.has_pending();
  framer.finish(kFinishStamp, sink);
  check(!framer.has_pending(), "SseFramer has pending bytes after finish()");
  return out;
}

// The framer's documented rules, written for clarity on the whole stream: lines end in CRLF, LF
// or CR; a blank line dispatches the data lines before it (joined with LF); "data" or
// "data:value" (one leading space dropped) is a data line; every other line is ignored. At the
// end a pending event is still delivered and an unterminated line dropped.
Framed model(std::string_view stream, const std::vector<std::string_view>& reads) {
  const ReadIndex index(reads);
  Framed out;
  std::string data;
  bool has_data = false;
  auto dispatch = [&](std::int64_t stamp) {
    if (has_data) out.events.push_back({data, stamp});
    data.clear();
    has_data = false;
  };
  std::size_t pos = 0;
  while (pos < stream.size()) {
    const std::size_t eol = stream.find_first_of("\r\n", pos);
    if (eol == std::string_view::npos) break;
    const std::string_view line = stream.substr(pos, eol - pos);
    pos = eol + 1;
    if (stream[eol] == '\r' && pos < stream.size() && stream[pos] == '\n') ++pos;
    if (line.empty()) {
      dispatch(stamp_of(index.holding(eol)));
      continue;
    }
    if (line.substr(0, 4) != "data" || (line.size() > 4 && line[4] != ':')) continue;
    std::string_view value = line.size() > 4 ? line.substr(5) : std::string_view();
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (has_data) data.push_back('\n');
    data.append(value);
    has_data = true;
  }
  out.pending_before_finish = pos < stream.size() || has_data;
  dispatch(kFinishStamp);
  return out;
}

}  // namespace
}  // namespace servemeter::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace servemeter::fuzz;
  const Reads input = cut_into_reads({reinterpret_cast<const char*>(data), size});

  const Framed expected = model(input.stream, input.reads);
  const Framed got = frame(input.reads);
  check(got.events == expected.events, "SseFramer events differ from the model");
  check(got.pending_before_finish == expected.pending_before_finish,
        "SseFramer::has_pending() differs from the model");

  const std::vector<std::string_view> whole{input.stream};
  const Framed one_read = frame(whole);
  check(one_read.events == model(input.stream, whole).events,
        "SseFramer events in one read differ from the model");

  if (input.stream.size() <= kMaxByteByByte) {
    const auto bytes = byte_reads(input.stream);
    const Framed byte_by_byte = frame(bytes, /*in_place=*/true);
    check(byte_by_byte.events == model(input.stream, bytes).events,
          "SseFramer events fed byte by byte differ from the model");
  }
  return 0;
}
