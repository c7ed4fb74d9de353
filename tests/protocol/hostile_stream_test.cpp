// Streams a hostile or broken server may send: endless lines and events (bounded memory, the
// request fails as `oversized`), bytes that are not UTF-8 (the timing is kept and the record
// flagged), and oversized strings in fields that end up in the record.
#include <gtest/gtest.h>

#include <algorithm>

#include "core/text.h"
#include "protocol/event_readers.h"
#include "protocol/framed_parser.h"
#include "protocol/ndjson_framer.h"
#include "protocol/sse_framer.h"
#include "transcript_util.h"

namespace servemeter::test {
namespace {

constexpr std::size_t kRead = 64 * 1024;  // the plain transport's read size
constexpr std::string_view kToken = "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n";

template <class Framer>
struct Bounded {
  FramedParser<Framer,
               std::conditional_t<std::is_same_v<Framer, SseFramer>, OpenAiReader, OllamaReader>>
      parser;
  RequestRecord record;
  std::size_t peak_buffered = 0;

  explicit Bounded(std::size_t limit) { parser.set_max_event_bytes(limit); }
  void feed(std::string_view bytes, std::int64_t stamp = 1) {
    parser.on_bytes(bytes, stamp, record);
    peak_buffered = std::max(peak_buffered, parser.framer().buffered_bytes());
  }
};

TEST(Oversized, EndlessSseDataLineIsCutAtTheBound) {
  constexpr std::size_t kLimit = 4 * 1024 * 1024;
  Bounded<SseFramer> b(kLimit);
  b.feed(kToken);
  b.feed("data: {\"choices\":[{\"delta\":{\"content\":\"");
  const std::string piece(kRead, 'x');
  std::size_t fed = 0;
  for (; fed < 64u * 1024 * 1024 && !b.parser.gave_up(); fed += piece.size()) b.feed(piece);
  EXPECT_TRUE(b.parser.gave_up());
  EXPECT_LE(fed, kLimit + kRead);  // it gave up within one read of the bound
  EXPECT_LE(b.peak_buffered, kLimit);
  EXPECT_EQ(b.parser.framer().buffered_bytes(), 0u);  // and let the memory go
  for (int i = 0; i < 10; ++i) b.feed(piece);         // the rest is ignored
  EXPECT_EQ(b.parser.framer().buffered_bytes(), 0u);
  b.parser.on_end(2, b.record);
  EXPECT_EQ(b.record.error, ErrorKind::oversized);
  EXPECT_NE(b.record.error_message.find("4194304 bytes (4 MiB)"), std::string::npos)
      << b.record.error_message;
  EXPECT_NE(b.record.error_message.find("--max-event-bytes"), std::string::npos);
  EXPECT_EQ(b.record.token_event_ns.size(), 1u);  // what came before still counts
}

TEST(Oversized, ManyDataLinesOfOneEventAreBoundedJoined) {
  constexpr std::size_t kLimit = 64 * 1024;
  Bounded<SseFramer> b(kLimit);
  const std::string line = "data: " + std::string(1000, 'y') + "\n";
  for (int i = 0; i < 1000 && !b.parser.gave_up(); ++i) b.feed(line);
  EXPECT_TRUE(b.parser.gave_up());
  EXPECT_LE(b.peak_buffered, kLimit);
  b.parser.on_end(2, b.record);
  EXPECT_EQ(b.record.error, ErrorKind::oversized);
}

TEST(Oversized, LineInsideOneReadCountsToo) {
  Bounded<SseFramer> b(1000);
  b.feed("data: " + std::string(2000, 'z') + "\n\n" + std::string(kToken));
  EXPECT_TRUE(b.parser.gave_up());
  b.parser.on_end(2, b.record);
  EXPECT_EQ(b.record.error, ErrorKind::oversized);
}

TEST(Oversized, EndlessNdjsonLineIsCutAtTheBound) {
  constexpr std::size_t kLimit = 1024 * 1024;
  Bounded<NdjsonFramer> b(kLimit);
  b.feed("{\"response\":\"a\",\"done\":false}\n{\"response\":\"");
  const std::string piece(kRead, 'x');
  std::size_t fed = 0;
  for (; fed < 16u * 1024 * 1024 && !b.parser.gave_up(); fed += piece.size()) b.feed(piece);
  EXPECT_TRUE(b.parser.gave_up());
  EXPECT_LE(fed, kLimit + kRead);
  EXPECT_LE(b.peak_buffered, kLimit);
  b.parser.on_end(2, b.record);
  EXPECT_EQ(b.record.error, ErrorKind::oversized);
  EXPECT_NE(b.record.error_message.find("NDJSON line"), std::string::npos);
  EXPECT_EQ(b.record.token_event_ns.size(), 1u);
}

TEST(Oversized, EventsUpToTheBoundAreFine) {
  // The bound is on one event, not on the stream: a long stream of events is never oversized,
  // and an event of exactly the bound passes.
  const std::string text(1000, 'w');
  const std::string event = "data: {\"choices\":[{\"delta\":{\"content\":\"" + text + "\"}}]}";
  Bounded<SseFramer> b(event.size() - 6);  // the data, without "data: "
  for (int i = 0; i < 100; ++i) b.feed(event + "\n\n");
  b.feed("data: [DONE]\n\n");
  b.parser.on_end(2, b.record);
  EXPECT_EQ(b.record.error, ErrorKind::none) << b.record.error_message;
  EXPECT_EQ(b.record.token_event_ns.size(), 100u);
}

TEST(InvalidUtf8, BadBytesInsideContentKeepTheTimingAndFlagTheRecord) {
  // A server that cut a multi-byte character (or wrote latin-1) in one token's text.
  const std::string body = std::string(kToken) +
                           "data: {\"choices\":[{\"delta\":{\"content\":\"caf\xE9\"}}]}\n\n" +
                           std::string(kToken) + "data: [DONE]\n\n";
  for (const auto& record : {run_whole(*make_adapter("openai-chat"), body),
                             run_bytewise(*make_adapter("openai-chat"), body)}) {
    EXPECT_EQ(record.error, ErrorKind::none) << record.error_message;
    EXPECT_EQ(record.token_event_ns.size(), 3u);
    EXPECT_EQ(record.flags & kFlagInvalidUtf8, kFlagInvalidUtf8);
  }
  const RequestRecord clean =
      run_whole(*make_adapter("openai-chat"), std::string(kToken) + "data: [DONE]\n\n");
  EXPECT_EQ(clean.flags, 0u);
}

TEST(InvalidUtf8, NdjsonAndSglangCumulativeTextToo) {
  const RequestRecord ollama = run_whole(*make_adapter("ollama-generate"),
                                         "{\"response\":\"\xFF\",\"done\":false}\n"
                                         "{\"response\":\"\",\"done\":true,\"eval_count\":1}\n");
  EXPECT_EQ(ollama.error, ErrorKind::none) << ollama.error_message;
  EXPECT_EQ(ollama.token_event_ns.size(), 1u);
  EXPECT_NE(ollama.flags & kFlagInvalidUtf8, 0u);
  const RequestRecord sglang =
      run_whole(*make_adapter("sglang-generate"),
                "data: {\"text\":\"a\xC3\",\"meta_info\":{}}\n\n"
                "data: {\"text\":\"a\xC3\xA9\",\"meta_info\":{}}\n\n"
                "data: {\"text\":\"a\xC3\xA9z\",\"meta_info\":{}}\n\ndata: [DONE]\n\n");
  EXPECT_EQ(sglang.error, ErrorKind::none) << sglang.error_message;
  EXPECT_NE(sglang.flags & kFlagInvalidUtf8, 0u);
  EXPECT_GE(sglang.token_event_ns.size(), 2u);
}

TEST(InvalidUtf8, BadFirstBytesAreBadPayloadWithAValidMessage) {
  const RequestRecord r =
      run_whole(*make_adapter("openai-chat"),
                "data: \xFF\xFE{\"choices\":[]}\n\n" + std::string(kToken) + "data: [DONE]\n\n");
  EXPECT_EQ(r.error, ErrorKind::bad_payload);
  EXPECT_TRUE(is_valid_utf8(r.error_message)) << r.error_message;
  EXPECT_NE(r.error_message.find("\xEF\xBF\xBD"), std::string::npos) << r.error_message;
  const RequestRecord head = run_whole(*make_adapter("openai-chat"), "\xE9t\xE9 \xE0 Paris");
  EXPECT_EQ(head.error, ErrorKind::truncated);
  EXPECT_TRUE(is_valid_utf8(head.error_message)) << head.error_message;
}

TEST(RecordStrings, ServerStringsAreBounded) {
  const std::string huge(100'000, 'r');
  const RequestRecord r = run_whole(*make_adapter("openai-chat"),
                                    "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"" +
                                        huge + "\"}]}\n\ndata: {\"error\":{\"message\":\"" + huge +
                                        "\"}}\n\ndata: [DONE]\n\n");
  EXPECT_LE(r.finish_reason.size(), 64u);
  EXPECT_EQ(r.finish_reason.rfind("rrrr", 0), 0u);
  EXPECT_EQ(r.error, ErrorKind::stream_error);
  EXPECT_LE(r.error_message.size(), 8u * 1024);
}

}  // namespace
}  // namespace servemeter::test
