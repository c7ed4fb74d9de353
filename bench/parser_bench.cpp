// parser_bench — what framing and parsing one token event costs, apart from sockets and curl.
// A vLLM chat stream of 256 token events (the wire shape in shared/fixtures/wire/vllm) is fed to
// a fresh parser per request in reads of N events, as the simulator's --events-per-write N
// delivers it. The figure to read is ns per event (items_per_second is events/s).
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "core/request_record.h"
#include "protocol/api_adapter.h"

namespace {

using namespace servemeter;

constexpr int kTokens = 256;

std::string vllm_chat_event(int index) {
  return R"(data: {"id":"chatcmpl-b4f3c2a1d0e9f876","object":"chat.completion.chunk",)"
         R"("created":1771502400,"model":"meta-llama/Llama-3.1-8B-Instruct","choices":[{)"
         R"("index":0,"delta":{"content":" tok)" +
         std::to_string(index) +
         R"(","reasoning_content":null},"logprobs":null,"finish_reason":null,)"
         R"("token_ids":null}]})"
         "\n\n";
}

// The reads one request's body arrives in: N events per read, then the usage chunk and [DONE].
std::vector<std::string> vllm_chat_reads(int events_per_read) {
  std::vector<std::string> reads;
  std::string read;
  for (int i = 0; i < kTokens; ++i) {
    read += vllm_chat_event(i);
    if ((i + 1) % events_per_read == 0) reads.push_back(std::move(read)), read.clear();
  }
  read += R"(data: {"id":"chatcmpl-b4f3c2a1d0e9f876","object":"chat.completion.chunk",)"
          R"("created":1771502400,"model":"meta-llama/Llama-3.1-8B-Instruct","choices":[],)"
          R"("usage":{"prompt_tokens":64,"total_tokens":320,"completion_tokens":256}})"
          "\n\ndata: [DONE]\n\n";
  reads.push_back(std::move(read));
  return reads;
}

void BM_OpenAiChatStream(benchmark::State& state) {
  const auto adapter = make_adapter("openai-chat");
  const auto reads = vllm_chat_reads(static_cast<int>(state.range(0)));
  std::int64_t stamp = 1;
  for (auto _ : state) {
    RequestRecord record;
    record.requested_output_tokens = kTokens;
    const auto parser = adapter->new_parser();
    for (const auto& read : reads) parser->on_bytes(read, ++stamp, record);
    parser->on_end(++stamp, record);
    if (record.output_tokens != kTokens || !record.ok()) {
      state.SkipWithError("the stream did not parse to 256 tokens");
      break;
    }
    benchmark::DoNotOptimize(record.token_event_ns.data());
  }
  state.SetItemsProcessed(state.iterations() * kTokens);
}
BENCHMARK(BM_OpenAiChatStream)->Arg(1)->Arg(16);

}  // namespace

BENCHMARK_MAIN();
