#pragma once
// Helpers for feeding wire transcripts to stream parsers the way a socket would: whole, split in
// two at a byte, byte by byte, with a distinct arrival stamp per read.
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/api_adapter.h"

namespace servemeter::test {

inline std::string read_fixture(const std::string& relative) {
  std::ifstream in(std::string(SERVEMETER_FIXTURE_DIR) + "/" + relative, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

inline std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  for (size_t at = 0; (at = text.find(from, at)) != std::string::npos; at += to.size()) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// One read per (offset, stamp) piece: piece i is body[cuts[i], cuts[i+1]).
struct Read {
  std::string_view bytes;
  std::int64_t stamp;
};

inline RequestRecord run_reads(const ApiAdapter& adapter, const std::vector<Read>& reads,
                               std::int64_t end_ns = 1'000'000) {
  RequestRecord record;
  auto parser = adapter.new_parser();
  for (const Read& read : reads) parser->on_bytes(read.bytes, read.stamp, record);
  parser->on_end(end_ns, record);
  return record;
}

inline RequestRecord run_whole(const ApiAdapter& adapter, std::string_view body,
                               std::int64_t stamp = 7) {
  return run_reads(adapter, {{body, stamp}});
}

inline RequestRecord run_split(const ApiAdapter& adapter, std::string_view body, size_t at,
                               std::int64_t first_stamp, std::int64_t second_stamp) {
  return run_reads(adapter, {{body.substr(0, at), first_stamp}, {body.substr(at), second_stamp}});
}

// Byte i arrives alone, stamped i + 1 (0 means "never" in a record).
inline RequestRecord run_bytewise(const ApiAdapter& adapter, std::string_view body) {
  std::vector<Read> reads;
  reads.reserve(body.size());
  for (size_t i = 0; i < body.size(); ++i) {
    reads.push_back({body.substr(i, 1), static_cast<std::int64_t>(i + 1)});
  }
  return run_reads(adapter, reads);
}

// Index of the byte that completes each event: `terminator` ends an event and the event is
// complete at terminator offset + `completes_at`.
inline std::vector<size_t> event_end_offsets(std::string_view body, std::string_view terminator,
                                             size_t completes_at) {
  std::vector<size_t> ends;
  for (size_t at = 0; (at = body.find(terminator, at)) != std::string_view::npos;
       at += terminator.size()) {
    ends.push_back(at + completes_at);
  }
  return ends;
}

}  // namespace servemeter::test
