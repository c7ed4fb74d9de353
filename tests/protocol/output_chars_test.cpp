// Generated characters: counted from the JSON text as it streams (escapes and surrogate pairs
// are one character each), reasoning mirrored in two fields counted once, for every API.
#include <gtest/gtest.h>

#include "protocol/transcript_util.h"

namespace servemeter {
namespace {

using test::run_whole;

TEST(OutputChars, CountsCodePointsAcrossEscapesAndSurrogatePairs) {
  // "안녕" (2) + "\n" (1) + "😀" as \ud83d\ude00 (1) + "é" (1) + "\"q\"" (3)
  const std::string body =
      "data: {\"choices\":[{\"delta\":{\"content\":\"안녕\"}}]}\n\n"
      "data: {\"choices\":[{\"delta\":{\"content\":\"\\n\\ud83d\\ude00\"}}]}\n\n"
      "data: {\"choices\":[{\"delta\":{\"content\":\"é\\\"q\\\"\"}}]}\n\n"
      "data: [DONE]\n\n";
  const RequestRecord r = run_whole(*make_adapter("openai-chat"), body);
  EXPECT_EQ(r.output_chars, 8);
}

TEST(OutputChars, MirroredReasoningCountsOnce) {
  const std::string body =
      "data: {\"choices\":[{\"delta\":{\"reasoning\":\"abc\",\"reasoning_content\":\"abc\"}}]}\n\n"
      "data: {\"choices\":[{\"delta\":{\"content\":\"de\"}}]}\n\n"
      "data: [DONE]\n\n";
  EXPECT_EQ(run_whole(*make_adapter("openai-chat"), body).output_chars, 5);
}

TEST(OutputChars, OllamaAndSglangCumulativeText) {
  const std::string ollama =
      "{\"message\":{\"role\":\"assistant\",\"content\":\"한국\"},\"done\":false}\n"
      "{\"message\":{\"role\":\"assistant\",\"content\":\"어\"},\"done\":false}\n"
      "{\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,\"eval_count\":3}\n";
  EXPECT_EQ(run_whole(*make_adapter("ollama-chat"), ollama).output_chars, 3);
  // SGLang /generate repeats the whole text so far: only what each event adds counts.
  const std::string sglang =
      "data: {\"text\":\"ab\",\"meta_info\":{}}\n\n"
      "data: {\"text\":\"abcd\",\"meta_info\":{}}\n\n"
      "data: {\"text\":\"abcde\",\"meta_info\":{\"finish_reason\":{\"type\":\"length\"}}}\n\n"
      "data: [DONE]\n\n";
  EXPECT_EQ(run_whole(*make_adapter("sglang-generate"), sglang).output_chars, 5);
}

TEST(OutputChars, AStreamWithNoTextCountsZeroNotUnknown) {
  EXPECT_EQ(run_whole(*make_adapter("openai-chat"), "data: [DONE]\n\n").output_chars, 0);
}

}  // namespace
}  // namespace servemeter
