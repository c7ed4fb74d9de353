#pragma once
// What each wire transcript in shared/fixtures/wire must parse to. The numbers are read off the
// transcripts (and the README's notes on them), not off the parser.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/request_record.h"

namespace servemeter::test {

struct FixtureExpectation {
  std::string file;  // relative to SERVEMETER_FIXTURE_DIR
  std::string api;   // make_adapter name
  std::int64_t input_tokens;
  std::int64_t output_tokens;
  TokenCountSource source;
  std::int64_t cached_tokens;
  std::int64_t reasoning_tokens;
  std::vector<int> token_events;  // ordinals (SSE event / NDJSON line) that carry text
  int first_content_event;        // -1: no answer text
  std::string finish_reason;
  ErrorKind error = ErrorKind::none;
  std::string error_message = {};
  ServerTiming timing = {};
};

inline std::vector<int> range(int first, int last) {  // inclusive
  std::vector<int> out;
  for (int i = first; i <= last; ++i) out.push_back(i);
  return out;
}

inline std::vector<int> concat(std::vector<int> a, const std::vector<int>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

inline ServerTiming timing(std::optional<double> prompt_ms, std::optional<double> predicted_ms,
                           std::optional<double> total_ms, std::optional<double> load_ms,
                           std::optional<std::int64_t> cache_n) {
  return ServerTiming{prompt_ms, predicted_ms, total_ms, load_ms, cache_n};
}

inline std::vector<FixtureExpectation> fixture_expectations() {
  using S = TokenCountSource;
  const std::string sglang_too_long =
      "The input (9000 tokens) is longer than the model's context length (8192 tokens).";
  return {
      {"vllm/vllm_chat_stream_usage.sse", "openai-chat", 42, 6, S::server, -1, -1, range(1, 5), 1,
       "stop"},
      {"vllm/vllm_chat_stream_continuous_usage.sse", "openai-chat", 42, 6, S::server, -1, -1,
       range(1, 5), 1, "stop"},
      {"vllm/vllm_chat_stream_usage_v0.16plus.sse", "openai-chat", 42, 6, S::server, -1, -1,
       range(1, 5), 1, "stop"},
      {"vllm/vllm_chat_stream_gptoss_v0.15.sse", "openai-chat", 73, 21, S::server, -1, -1,
       concat(range(1, 6), range(8, 11)), 8, "stop"},
      {"vllm/vllm_chat_stream_gptoss_v0.16plus.sse", "openai-chat", 73, 21, S::server, -1, -1,
       concat(range(1, 6), range(8, 11)), 8, "stop"},
      {"vllm/vllm_chat_stream_midstream_error.sse",
       "openai-chat",
       -1,
       1,
       S::chunk_count,
       -1,
       -1,
       {1},
       1,
       "",
       ErrorKind::stream_error,
       "The stream was aborted: example ValueError text raised inside the generator"},
      {"vllm/vllm_completions_stream_usage.sse", "openai-completions", 7, 6, S::server, -1, -1,
       range(0, 5), 0, "length"},
      {"sglang/sglang_chat_stream_usage.sse", "openai-chat", 42, 6, S::server, -1, 0, range(1, 5),
       1, "stop"},
      {"sglang/sglang_chat_stream_gptoss_reasoning.sse", "openai-chat", 73, 21, S::server, -1, 9,
       range(1, 10), 7, "stop"},
      {"sglang/sglang_chat_stream_error_event.sse",
       "openai-chat",
       -1,
       0,
       S::chunk_count,
       -1,
       -1,
       {},
       -1,
       "",
       ErrorKind::stream_error,
       sglang_too_long},
      {"sglang/sglang_generate_stream_cumulative.sse", "sglang-generate", 7, 6, S::server, 0, -1,
       range(0, 5), 0, "length", ErrorKind::none, "", timing({}, {}, 87.1849250793457, {}, {})},
      {"sglang/sglang_generate_stream_incremental.sse", "sglang-generate", 7, 6, S::server, 0, -1,
       range(0, 5), 0, "length", ErrorKind::none, "", timing({}, {}, 87.1849250793457, {}, {})},
      {"sglang/sglang_generate_stream_error_event.sse",
       "sglang-generate",
       -1,
       0,
       S::chunk_count,
       -1,
       -1,
       {},
       -1,
       "",
       ErrorKind::stream_error,
       sglang_too_long},
      {"ollama/ollama_api_chat_stream_gptoss.ndjson", "ollama-chat", 73, 21, S::server, -1, -1,
       range(0, 9), 6, "stop", ErrorKind::none, "",
       timing(61.213, 254.117, 412.873125, 85.512167, {})},
      {"ollama/ollama_api_chat_stream_midstream_error.ndjson",
       "ollama-chat",
       -1,
       1,
       S::chunk_count,
       -1,
       -1,
       {0},
       -1,
       "",
       ErrorKind::stream_error,
       "an error was encountered while running the model: unexpected EOF"},
      {"ollama/ollama_api_generate_stream.ndjson", "ollama-generate", 19, 6, S::server, -1, -1,
       range(0, 5), 0, "length", ErrorKind::none, "",
       timing(21.001, 61.234, 198.765432, 40.112345, {})},
      {"ollama/ollama_v1_chat_stream_gptoss_usage.sse", "openai-chat", 73, 21, S::server, -1, -1,
       range(0, 9), 6, "stop"},
      {"ollama/ollama_v1_completions_stream_usage.sse", "openai-completions", 19, 6, S::server, -1,
       -1, range(0, 5), 0, "length"},
      {"llamacpp/llamacpp_chat_stream_usage.sse", "openai-chat", 16, 12, S::server, 0, -1,
       range(1, 12), 1, "length", ErrorKind::none, "", timing(21.788, 39.991, {}, {}, 0)},
      {"llamacpp/llamacpp_chat_stream_korean_no_usage.sse", "openai-chat", -1, 12, S::chunk_count,
       -1, -1, range(1, 12), 1, "length", ErrorKind::none, "", timing(5.566, 44.062, {}, {}, 5)},
      {"llamacpp/llamacpp_completions_stream.sse", "openai-completions", 5, 8, S::server, 1, -1,
       range(0, 7), 0, "length", ErrorKind::none, "", timing(4.626, 27.117, {}, {}, 1)},
  };
}

// Streams in the fixture folder that are not generation responses.
inline std::vector<std::string> non_generation_streams() {
  return {"ollama/ollama_api_pull_stream.ndjson"};
}

}  // namespace servemeter::test
