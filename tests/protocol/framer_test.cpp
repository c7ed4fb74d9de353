// The SSE and NDJSON framers on their own: what counts as an event, and that events straddling
// reads are reassembled while events inside one read are handed out without a copy.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "protocol/ndjson_framer.h"
#include "protocol/sse_framer.h"

namespace servemeter {
namespace {

struct Event {
  std::string payload;
  std::int64_t stamp;
  bool operator==(const Event&) const = default;
};

template <class Framer>
std::vector<Event> frame(const std::vector<std::string>& reads, bool finish = false) {
  Framer framer;
  std::vector<Event> events;
  auto sink = [&](std::string_view payload, std::int64_t stamp) {
    events.push_back({std::string(payload), stamp});
  };
  std::int64_t stamp = 0;
  for (const auto& read : reads) framer.feed(read, ++stamp, sink);
  if (finish) framer.finish(stamp, sink);
  return events;
}

TEST(SseFramer, SplitsEventsOnBlankLines) {
  EXPECT_EQ(frame<SseFramer>({"data: a\n\ndata: b\n\n"}), (std::vector<Event>{{"a", 1}, {"b", 1}}));
}

TEST(SseFramer, AcceptsEveryLineEnding) {
  const std::vector<Event> want{{"x", 1}, {"y", 1}, {"z", 1}};
  EXPECT_EQ(frame<SseFramer>({"data: x\r\n\r\ndata: y\r\rdata: z\n\n"}), want);
  EXPECT_EQ(frame<SseFramer>({"data: x\r\n\r\ndata: y\n\r\ndata: z\r\n\n"}), want);
}

TEST(SseFramer, CrLfSplitAcrossReadsIsOneLineEnd) {
  // A CR at the end of a read followed by LF at the start of the next is one line end, not two
  // (two would be a blank line and dispatch early).
  EXPECT_EQ(frame<SseFramer>({"data: a\r", "\ndata: b\r\n\r", "\n"}),
            (std::vector<Event>{{"a\nb", 2}}));
}

TEST(SseFramer, DataWithoutSpaceAndEmptyData) {
  EXPECT_EQ(frame<SseFramer>({"data:a\n\ndata:  b\n\ndata\n\n"}),
            (std::vector<Event>{{"a", 1}, {" b", 1}, {"", 1}}));
}

TEST(SseFramer, JoinsDataLinesWithLf) {
  EXPECT_EQ(frame<SseFramer>({"data: {\"a\":\ndata: 1}\n\n"}),
            (std::vector<Event>{{"{\"a\":\n1}", 1}}));
  EXPECT_EQ(frame<SseFramer>({"data: one\n", "data: two\n", "data: three\n\n"}),
            (std::vector<Event>{{"one\ntwo\nthree", 3}}));
}

TEST(SseFramer, IgnoresCommentsAndOtherFields) {
  EXPECT_EQ(frame<SseFramer>({": keep-alive\n\n:\n\nevent: message\nid: 7\nretry: 10\n"
                              "database: no\ndata: x\n\n"}),
            (std::vector<Event>{{"x", 1}}));
}

TEST(SseFramer, StampIsTheReadThatCompletedTheEvent) {
  EXPECT_EQ(frame<SseFramer>({"data: a", "bc\n", "\n", "data: d\n\nda", "ta: e\n\n"}),
            (std::vector<Event>{{"abc", 3}, {"d", 4}, {"e", 5}}));
}

TEST(SseFramer, EventInsideOneReadIsNotCopied) {
  SseFramer framer;
  const std::string read = "data: {\"k\":1}\n\n";
  const char* seen = nullptr;
  framer.feed(read, 1, [&](std::string_view payload, std::int64_t) { seen = payload.data(); });
  EXPECT_EQ(seen, read.data() + 6);
}

TEST(SseFramer, FinishDeliversACompleteEventButDropsACutLine) {
  EXPECT_EQ(frame<SseFramer>({"data: a\n"}, true), (std::vector<Event>{{"a", 1}}));
  EXPECT_EQ(frame<SseFramer>({"data: [DO"}, true), (std::vector<Event>{}));
  SseFramer framer;
  framer.feed("data: x", 1, [](std::string_view, std::int64_t) {});
  EXPECT_TRUE(framer.has_pending());
}

TEST(NdjsonFramer, SplitsLinesAndKeepsPartialsAcrossReads) {
  EXPECT_EQ(frame<NdjsonFramer>({"{\"a\":1}\n{\"b\"", ":2}\n", "{\"c\":3}\r\n"}),
            (std::vector<Event>{{"{\"a\":1}", 1}, {"{\"b\":2}", 2}, {"{\"c\":3}", 3}}));
}

TEST(NdjsonFramer, SkipsBlankLines) {
  EXPECT_EQ(frame<NdjsonFramer>({"\n\n  \n\t\r\n{}\n\n"}), (std::vector<Event>{{"{}", 1}}));
}

TEST(NdjsonFramer, FinishDeliversAnUnterminatedLastLine) {
  EXPECT_EQ(frame<NdjsonFramer>({"{}\n{\"done\":", "true}"}, true),
            (std::vector<Event>{{"{}", 1}, {"{\"done\":true}", 2}}));
}

TEST(NdjsonFramer, LineInsideOneReadIsNotCopied) {
  NdjsonFramer framer;
  const std::string read = "{\"k\":1}\n";
  const char* seen = nullptr;
  framer.feed(read, 1, [&](std::string_view payload, std::int64_t) { seen = payload.data(); });
  EXPECT_EQ(seen, read.data());
}

}  // namespace
}  // namespace servemeter
