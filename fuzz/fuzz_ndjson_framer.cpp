// NdjsonFramer against a plain model of its rules: fed in the fuzzer's reads, one byte per read
// and in one piece, it must hand over the model's lines, each stamped with the read that held its
// newline, and report pending bytes exactly when the model has some.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_reads.h"
#include "protocol/ndjson_framer.h"

namespace servemeter::fuzz {
namespace {

constexpr std::int64_t kFinishStamp = -1;
constexpr std::size_t kMaxByteByByte = 2048;  // longer streams: too slow one byte at a time

struct Line {
  std::string text;
  std::int64_t stamp;
  bool operator==(const Line&) const = default;
};

struct Framed {
  std::vector<Line> lines;
  bool pending_before_finish = false;
};

std::int64_t stamp_of(std::size_t read) {
  return static_cast<std::int64_t>(read) + 1;
}

// `in_place`: the reads are handed over as they are, not each in its own heap block.
Framed frame(const std::vector<std::string_view>& reads, bool in_place = false) {
  NdjsonFramer framer;
  Framed out;
  auto sink = [&](std::string_view line, std::int64_t stamp) {
    out.lines.push_back({std::string(line), stamp});
  };
  auto feed = [&](std::string_view read, std::size_t i) { framer.feed(read, stamp_of(i), sink); };
  if (in_place) {
    for_each_view(reads, feed);
  } else {
    for_each_read(reads, feed);
  }
  out.pending_before_finish = framer.has_pending();
  framer.finish(kFinishStamp, sink);
  check(!framer.has_pending(), "NdjsonFramer has pending bytes after finish()");
  return out;
}

// The framer's rules on the whole stream: lines end in LF; one CR before it is dropped; a blank
// line is skipped (empty, or starting with a space or tab and holding only spaces, tabs and CRs:
// the framer's own test); a last line without LF is delivered at the end.
Framed model(std::string_view stream, const std::vector<std::string_view>& reads) {
  const ReadIndex index(reads);
  Framed out;
  auto emit = [&](std::string_view line, std::int64_t stamp) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) return;
    if ((line.front() == ' ' || line.front() == '\t') &&
        line.find_first_not_of(" \t\r") == std::string_view::npos) {
      return;
    }
    out.lines.push_back({std::string(line), stamp});
  };
  std::size_t pos = 0;
  for (std::size_t lf = stream.find('\n'); lf != std::string_view::npos;
       lf = stream.find('\n', pos)) {
    emit(stream.substr(pos, lf - pos), stamp_of(index.holding(lf)));
    pos = lf + 1;
  }
  out.pending_before_finish = pos < stream.size();
  emit(stream.substr(pos), kFinishStamp);
  return out;
}

}  // namespace
}  // namespace servemeter::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace servemeter::fuzz;
  const Reads input = cut_into_reads({reinterpret_cast<const char*>(data), size});

  const Framed expected = model(input.stream, input.reads);
  const Framed got = frame(input.reads);
  check(got.lines == expected.lines, "NdjsonFramer lines differ from the model");
  check(got.pending_before_finish == expected.pending_before_finish,
        "NdjsonFramer::has_pending() differs from the model");

  const std::vector<std::string_view> whole{input.stream};
  check(frame(whole).lines == model(input.stream, whole).lines,
        "NdjsonFramer lines in one read differ from the model");

  if (input.stream.size() <= kMaxByteByByte) {
    const auto bytes = byte_reads(input.stream);
    check(frame(bytes, /*in_place=*/true).lines == model(input.stream, bytes).lines,
          "NdjsonFramer lines fed byte by byte differ from the model");
  }
  return 0;
}
