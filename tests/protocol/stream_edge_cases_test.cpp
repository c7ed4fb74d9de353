// Stream parsers on damaged or unusual bodies: truncation at every byte, malformed JSON, errors
// mixed with other failures, keep-alive comments, and SGLang's two text modes.
#include <gtest/gtest.h>

#include "transcript_util.h"

namespace servemeter::test {
namespace {

const std::string kChat = "vllm/vllm_chat_stream_usage.sse";

TEST(Truncation, SseCutAnywhereBeforeDoneIsTruncated) {
  for (const auto& [file, api] : std::vector<std::pair<std::string, std::string>>{
           {kChat, "openai-chat"},
           {"sglang/sglang_generate_stream_cumulative.sse", "sglang-generate"},
           {"llamacpp/llamacpp_completions_stream.sse", "openai-completions"}}) {
    const std::string body = read_fixture(file);
    const auto adapter = make_adapter(api);
    const size_t done = body.find("data: [DONE]");
    ASSERT_NE(done, std::string::npos);
    for (size_t cut = 0; cut < body.size(); ++cut) {
      SCOPED_TRACE(file + " cut at " + std::to_string(cut));
      const RequestRecord r = run_whole(*adapter, std::string_view(body).substr(0, cut));
      // "data: [DONE]\n" without its blank line still says done; a cut inside it does not.
      const bool said_done = cut >= done + std::string_view("data: [DONE]\n").size();
      ASSERT_EQ(r.error, said_done ? ErrorKind::none : ErrorKind::truncated) << r.error_message;
      if (!said_done) {
        EXPECT_NE(r.error_message.find("data: [DONE]"), std::string::npos) << r.error_message;
      }
    }
  }
}

TEST(Truncation, NdjsonCutBeforeTheDoneObjectIsTruncated) {
  const std::string body = read_fixture("ollama/ollama_api_generate_stream.ndjson");
  const auto adapter = make_adapter("ollama-generate");
  for (size_t cut = 0; cut + 1 < body.size(); ++cut) {
    SCOPED_TRACE("cut at " + std::to_string(cut));
    const RequestRecord r = run_whole(*adapter, std::string_view(body).substr(0, cut));
    ASSERT_EQ(r.error, ErrorKind::truncated) << r.error_message;
    EXPECT_EQ(r.output_tokens_source, TokenCountSource::chunk_count);
  }
  // The done object complete but its final newline missing: the server did finish.
  const RequestRecord r = run_whole(*adapter, std::string_view(body).substr(0, body.size() - 1));
  EXPECT_EQ(r.error, ErrorKind::none) << r.error_message;
  EXPECT_EQ(r.output_tokens, 6);
}

TEST(Truncation, TruncatedStreamKeepsWhatArrived) {
  const std::string body = read_fixture(kChat);
  const size_t cut = body.find("data: ", body.find("\" the\""));  // after 3 content chunks
  const RequestRecord r = run_whole(*make_adapter("openai-chat"), body.substr(0, cut));
  EXPECT_EQ(r.error, ErrorKind::truncated);
  EXPECT_EQ(r.token_event_ns.size(), 3u);
  EXPECT_EQ(r.output_tokens, 3);
  EXPECT_EQ(r.output_tokens_source, TokenCountSource::chunk_count);
  EXPECT_EQ(r.input_tokens, -1);
}

TEST(BadPayload, MalformedEventIsRecordedOnceWithAnExcerpt) {
  std::string body = read_fixture(kChat);
  const size_t second = body.find("data: ", 1);
  body.insert(second, "data: {\"choices\":[{\"delta\":{\"content\":\"x\"\n\ndata: not json\n\n");
  const RequestRecord r = run_whole(*make_adapter("openai-chat"), body);
  EXPECT_EQ(r.error, ErrorKind::bad_payload);
  EXPECT_NE(r.error_message.find("event 2"), std::string::npos) << r.error_message;
  EXPECT_NE(r.error_message.find("{\"choices\":[{\"delta\""), std::string::npos) << r.error_message;
  EXPECT_EQ(r.error_message.find("not json"), std::string::npos) << "first bad event wins";
  // Reading went on: the good events still count, and so does the server's total.
  EXPECT_EQ(r.token_event_ns.size(), 5u);
  EXPECT_EQ(r.output_tokens, 6);
}

TEST(BadPayload, NonObjectAndNdjsonGarbage) {
  EXPECT_EQ(run_whole(*make_adapter("openai-chat"), "data: [1,2]\n\ndata: [DONE]\n\n").error,
            ErrorKind::bad_payload);
  const RequestRecord r = run_whole(*make_adapter("ollama-chat"), "<html>oops</html>\n");
  EXPECT_EQ(r.error, ErrorKind::bad_payload);
  EXPECT_NE(r.error_message.find("<html>oops"), std::string::npos) << r.error_message;
}

TEST(StreamError, FirstErrorWinsOverLaterFailures) {
  std::string body = read_fixture("vllm/vllm_chat_stream_midstream_error.sse");
  body.insert(body.find("data: [DONE]"), "data: {broken\n\n");
  const RequestRecord r = run_whole(*make_adapter("openai-chat"), body);
  EXPECT_EQ(r.error, ErrorKind::stream_error);
  EXPECT_EQ(r.error_message,
            "The stream was aborted: example ValueError text raised inside the generator");
}

TEST(StreamError, FlatErrorObjectAndNullError) {
  const auto adapter = make_adapter("openai-chat");
  const RequestRecord flat = run_whole(
      *adapter,
      "data: {\"object\":\"error\",\"message\":\"boom\",\"code\":500}\n\ndata: [DONE]\n\n");
  EXPECT_EQ(flat.error, ErrorKind::stream_error);
  EXPECT_EQ(flat.error_message, "boom");
  const RequestRecord null_error = run_whole(
      *adapter,
      "data: {\"error\":null,\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\ndata: [DONE]\n\n");
  EXPECT_EQ(null_error.error, ErrorKind::none);
  EXPECT_EQ(null_error.token_event_ns.size(), 1u);
}

TEST(KeepAlive, HeartbeatsBetweenEventsChangeNothing) {
  const std::string body = read_fixture(kChat);
  const std::string with_pings =
      ": ping\n\n" + replace_all(body, "\n\ndata: ", "\n\n: ping\n\ndata: ");
  const RequestRecord a = run_whole(*make_adapter("openai-chat"), body);
  const RequestRecord b = run_whole(*make_adapter("openai-chat"), with_pings);
  EXPECT_EQ(b.error, ErrorKind::none);
  EXPECT_EQ(a.token_event_ns, b.token_event_ns);
  EXPECT_EQ(b.output_tokens, 6);
}

TEST(Reasoning, BothMirrorFieldsCountTheEventOnce) {
  const RequestRecord r = run_whole(
      *make_adapter("openai-chat"),
      "data: {\"choices\":[{\"delta\":{\"reasoning\":\"a\",\"reasoning_content\":\"a\"}}]}\n\n"
      "data: {\"choices\":[{\"delta\":{\"content\":\"b\",\"reasoning_content\":null}}]}\n\n"
      "data: [DONE]\n\n",
      5);
  EXPECT_EQ(r.token_event_ns, (std::vector<std::int64_t>{5, 5}));
  EXPECT_EQ(r.output_tokens, 2);
  EXPECT_EQ(r.output_tokens_source, TokenCountSource::chunk_count);
}

TEST(Reasoning, CompletionTokensDetailsAndEscapedEmptyText) {
  const RequestRecord r =
      run_whole(*make_adapter("openai-chat"),
                "data: {\"choices\":[{\"delta\":{\"content\":\"\\u0041\"}}]}\n\n"
                "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4,"
                "\"completion_tokens_details\":{\"reasoning_tokens\":2},"
                "\"prompt_tokens_details\":{\"cached_tokens\":1}}}\n\n"
                "data: [DONE]\n\n");
  EXPECT_EQ(r.token_event_ns.size(), 1u);
  EXPECT_EQ(r.reasoning_tokens, 2);
  EXPECT_EQ(r.cached_tokens, 1);
  EXPECT_EQ(r.input_tokens, 3);
  EXPECT_EQ(r.output_tokens, 4);
}

TEST(SglangText, IncrementalDeltaThatRepeatsThePreviousTextStillCounts) {
  // " the" then " then": looks cumulative (and grew), then "!" proves incremental mode.
  const auto adapter = make_adapter("sglang-generate");
  const RequestRecord r = run_whole(*adapter,
                                    "data: {\"text\":\" the\",\"meta_info\":{}}\n\n"
                                    "data: {\"text\":\" then\",\"meta_info\":{}}\n\n"
                                    "data: {\"text\":\"!\",\"meta_info\":{}}\n\n"
                                    "data: {\"text\":\"!\",\"meta_info\":{}}\n\n"
                                    "data: [DONE]\n\n");
  EXPECT_EQ(r.token_event_ns.size(), 4u);
}

TEST(SglangText, CumulativeEventWithoutNewTextIsNotAToken) {
  const RequestRecord r =
      run_whole(*make_adapter("sglang-generate"),
                "data: {\"text\":\"a\",\"meta_info\":{\"completion_tokens\":1}}\n\n"
                "data: {\"text\":\"a\",\"meta_info\":{\"completion_tokens\":2}}\n\n"
                "data: {\"text\":\"ab\",\"meta_info\":{\"completion_tokens\":3}}\n\n"
                "data: [DONE]\n\n");
  EXPECT_EQ(r.token_event_ns.size(), 2u);
  EXPECT_EQ(r.output_tokens, 3);
  EXPECT_EQ(r.output_tokens_source, TokenCountSource::server);
}

TEST(Parser, OllamaDoneWithoutCountsFallsBackToChunks) {
  const RequestRecord r = run_whole(*make_adapter("ollama-generate"),
                                    "{\"response\":\"a\",\"done\":false}\n"
                                    "{\"response\":\"\",\"done\":true,\"done_reason\":\"stop\"}\n");
  EXPECT_EQ(r.error, ErrorKind::none);
  EXPECT_EQ(r.output_tokens, 1);
  EXPECT_EQ(r.output_tokens_source, TokenCountSource::chunk_count);
  EXPECT_EQ(r.finish_reason, "stop");
}

TEST(Parser, NothingAfterTheEndMarkerCounts) {
  const RequestRecord r = run_whole(*make_adapter("openai-chat"),
                                    "data: [DONE]\n\ndata: {\"choices\":[{\"delta\":{\"content\":"
                                    "\"late\"}}]}\n\ndata: junk\n\n");
  EXPECT_EQ(r.error, ErrorKind::none);
  EXPECT_TRUE(r.token_event_ns.empty());
}

TEST(Parser, BodyWithoutEventsIsShownInTheMessage) {
  // A server that ignored stream:true and answered one JSON object.
  const RequestRecord r =
      run_whole(*make_adapter("openai-chat"), "{\"id\":\"x\",\"choices\":[{\"message\":{}}]}");
  EXPECT_EQ(r.error, ErrorKind::truncated);
  EXPECT_EQ(r.error_message,
            "stream ended without data: [DONE] after 0 events (37 bytes); the body starts "
            "'{\"id\":\"x\",\"choices\":[{\"message\":{}}]}'");
}

TEST(Parser, EmptyBodyIsTruncated) {
  const RequestRecord r = run_whole(*make_adapter("openai-chat"), "");
  EXPECT_EQ(r.error, ErrorKind::truncated);
  EXPECT_EQ(r.output_tokens, 0);
  EXPECT_EQ(r.end_ns, 1'000'000);
}

TEST(Parser, ReservesTokenStampsForTheRequestedLength) {
  RequestRecord record;
  record.requested_output_tokens = 300;
  auto parser = make_adapter("openai-chat")->new_parser();
  parser->on_bytes("data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n", 1, record);
  EXPECT_GE(record.token_event_ns.capacity(), 300u);
}

}  // namespace
}  // namespace servemeter::test
