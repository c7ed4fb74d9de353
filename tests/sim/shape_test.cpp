// Wire-shape tests: each profile's answers over real HTTP, compared with the transcripts in
// shared/fixtures/wire: the sequence of event kinds, the key set and key order of each kind,
// the content type, and the error bodies.
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>

#include "sim/sim_server.h"
#include "sim_test_util.h"

namespace {

using nlohmann::ordered_json;
using servemeter::sim::SimOptions;
using servemeter::sim::SimServer;
using namespace simtest;

enum class Format { sse, ndjson };

std::string classify(const std::string& raw) {
  if (raw == "[DONE]") return "done";
  const ordered_json j = ordered_json::parse(raw);
  if (j.contains("error")) return "error";
  if (j.contains("meta_info"))
    return j["meta_info"]["finish_reason"].is_null() ? "content" : "finish";
  if (j.contains("done")) {  // Ollama native
    if (j["done"].get<bool>()) return "finish";
    const auto& m = j.contains("message") ? j["message"] : j;
    return m.contains("thinking") ? "reasoning" : "content";
  }
  const auto& choices = j["choices"];
  if (choices.empty()) return "usage";
  const auto& c = choices[0];
  if (!c["finish_reason"].is_null()) return "finish";
  if (c.contains("text")) return c["text"].get<std::string>().empty() ? "empty" : "content";
  const auto& d = c["delta"];
  auto str = [&](const char* k) {
    return d.contains(k) && d[k].is_string() && !d[k].get<std::string>().empty();
  };
  if (str("reasoning") || str("reasoning_content")) return "reasoning";
  if (str("content")) return "content";
  if (d.contains("role") && !d["role"].is_null()) return "role";
  return "empty";
}

struct Parsed {
  std::vector<std::string> kinds;          // consecutive repeats collapsed
  std::map<std::string, std::string> sig;  // kind -> signature of its first event
};

Parsed parse_stream(const std::string& body, Format f) {
  Parsed p;
  const auto events = f == Format::sse ? sse_events(body) : ndjson_lines(body);
  for (const auto& e : events) {
    const std::string k = classify(e);
    if (p.kinds.empty() || p.kinds.back() != k) p.kinds.push_back(k);
    if (!p.sig.count(k)) p.sig[k] = k == "done" ? "" : signature(ordered_json::parse(e));
  }
  return p;
}

struct Case {
  std::string name;
  std::string profile;
  std::string model;  // served model
  std::string path;
  std::string body;
  std::string fixture;
  Format format;
  std::string content_type;
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.name;
}

class SimStreamShape : public testing::TestWithParam<Case> {};

TEST_P(SimStreamShape, MatchesTranscript) {
  const Case& c = GetParam();
  SimOptions o = fast_options(c.profile);
  o.model = c.model;
  auto server = SimServer::start(o);
  const Response r = request(server->port(), "POST", c.path, c.body);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.complete);
  EXPECT_EQ(r.headers.at("content-type"), c.content_type);
  EXPECT_EQ(lower(r.headers.at("transfer-encoding")), "chunked");
  const Parsed want = parse_stream(fixture(c.fixture), c.format);
  const Parsed got = parse_stream(r.body, c.format);
  EXPECT_EQ(got.kinds, want.kinds) << r.body;
  for (const auto& [kind, sig] : want.sig) {
    ASSERT_TRUE(got.sig.count(kind)) << kind;
    EXPECT_EQ(got.sig.at(kind), sig) << "event kind " << kind << "\n" << r.body;
  }
}

const std::string kLlama = "meta-llama/Llama-3.1-8B-Instruct";
const std::string kMsg = R"("messages":[{"role":"user","content":"Capital of France?"}])";
const std::string kUsage = R"("stream":true,"stream_options":{"include_usage":true})";

INSTANTIATE_TEST_SUITE_P(
    Fixtures, SimStreamShape,
    testing::Values(
        Case{"vllm_chat", "vllm", kLlama, "/v1/chat/completions",
             "{\"model\":\"" + kLlama + "\"," + kMsg + "," + kUsage + "}",
             "vllm/vllm_chat_stream_usage.sse", Format::sse, "text/event-stream; charset=utf-8"},
        Case{"vllm_gptoss", "vllm", "openai/gpt-oss-20b", "/v1/chat/completions",
             "{\"model\":\"openai/gpt-oss-20b\"," + kMsg + ",\"min_tokens\":20," + kUsage + "}",
             "vllm/vllm_chat_stream_gptoss_v0.15.sse", Format::sse,
             "text/event-stream; charset=utf-8"},
        Case{"vllm_completions", "vllm", kLlama, "/v1/completions",
             "{\"model\":\"" + kLlama +
                 "\",\"prompt\":\"The capital of France is\",\"max_tokens\":6," + kUsage + "}",
             "vllm/vllm_completions_stream_usage.sse", Format::sse,
             "text/event-stream; charset=utf-8"},
        Case{"sglang_chat", "sglang", kLlama, "/v1/chat/completions",
             "{\"model\":\"" + kLlama + "\"," + kMsg + "," + kUsage + "}",
             "sglang/sglang_chat_stream_usage.sse", Format::sse,
             "text/event-stream; charset=utf-8"},
        Case{"sglang_gptoss", "sglang", "openai/gpt-oss-20b", "/v1/chat/completions",
             "{\"model\":\"openai/gpt-oss-20b\"," + kMsg + ",\"min_tokens\":20," + kUsage + "}",
             "sglang/sglang_chat_stream_gptoss_reasoning.sse", Format::sse,
             "text/event-stream; charset=utf-8"},
        Case{"sglang_generate", "sglang", kLlama, "/generate",
             fixture("sglang/sglang_generate_request.json"),
             "sglang/sglang_generate_stream_cumulative.sse", Format::sse,
             "text/event-stream; charset=utf-8"},
        Case{"ollama_chat", "ollama", "gpt-oss:20b", "/api/chat",
             "{\"model\":\"gpt-oss:20b\"," + kMsg + ",\"options\":{\"num_predict\":21}}",
             "ollama/ollama_api_chat_stream_gptoss.ndjson", Format::ndjson, "application/x-ndjson"},
        Case{
            "ollama_generate", "ollama", "llama3.2:3b", "/api/generate",
            R"({"model":"llama3.2:3b","prompt":"The capital of France is","options":{"num_predict":6}})",
            "ollama/ollama_api_generate_stream.ndjson", Format::ndjson, "application/x-ndjson"},
        Case{"ollama_v1_chat", "ollama", "gpt-oss:20b", "/v1/chat/completions",
             "{\"model\":\"gpt-oss:20b\"," + kMsg + ",\"min_tokens\":20," + kUsage + "}",
             "ollama/ollama_v1_chat_stream_gptoss_usage.sse", Format::sse, "text/event-stream"},
        Case{"ollama_v1_completions", "ollama", "llama3.2:3b", "/v1/completions",
             R"({"model":"llama3.2:3b","prompt":"The capital of France is","max_tokens":6,)" +
                 kUsage + "}",
             "ollama/ollama_v1_completions_stream_usage.sse", Format::sse, "text/event-stream"},
        Case{"llamacpp_chat", "llamacpp", "tiny.gguf", "/v1/chat/completions",
             "{" + kMsg + ",\"max_tokens\":12,\"ignore_eos\":true," + kUsage + "}",
             "llamacpp/llamacpp_chat_stream_usage.sse", Format::sse, "text/event-stream"},
        Case{
            "llamacpp_chat_no_usage", "llamacpp", "tiny.gguf", "/v1/chat/completions",
            R"({"messages":[{"role":"user","content":"프랑스의 수도는?"}],"max_tokens":12,"ignore_eos":true,"stream":true})",
            "llamacpp/llamacpp_chat_stream_korean_no_usage.sse", Format::sse, "text/event-stream"},
        Case{"llamacpp_completions", "llamacpp", "tiny.gguf", "/v1/completions",
             R"({"prompt":"Hello","max_tokens":8,"ignore_eos":true,"stream":true})",
             "llamacpp/llamacpp_completions_stream.sse", Format::sse, "text/event-stream"}),
    [](const testing::TestParamInfo<Case>& i) { return i.param.name; });

// ---- error bodies ---------------------------------------------------------------------------

std::string long_prompt(int words) {
  std::string s;
  for (int i = 0; i < words; ++i) s += " word";
  return s;
}

void expect_same_shape(const Response& r, const std::string& fixture_file) {
  const ordered_json want = ordered_json::parse(fixture(fixture_file));
  const ordered_json got = ordered_json::parse(r.body);
  EXPECT_EQ(signature(got), signature(want)) << r.body;
}

TEST(SimErrorShape, VllmContextLengthIs400JsonEvenWhenStreaming) {
  auto server = SimServer::start(fast_options("vllm"));
  const Response r = request(
      server->port(), "POST", "/v1/chat/completions",
      R"({"model":"meta-llama/Llama-3.1-8B-Instruct","stream":true,"messages":[{"role":"user","content":")" +
          long_prompt(9000) + "\"}]}");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.headers.at("content-type"), "application/json");
  expect_same_shape(r, "vllm/vllm_error_400_context_length.json");
  EXPECT_NE(r.body.find("maximum context length"), std::string::npos);
}

TEST(SimErrorShape, VllmMaxTokensTooLarge) {
  auto server = SimServer::start(fast_options("vllm"));
  const Response r =
      request(server->port(), "POST", "/v1/completions",
              R"({"model":"meta-llama/Llama-3.1-8B-Instruct","prompt":"Hi","max_tokens":9000})");
  EXPECT_EQ(r.status, 400);
  expect_same_shape(r, "vllm/vllm_error_400_max_tokens_too_large.json");
}

TEST(SimErrorShape, VllmUnknownModelIs404) {
  auto server = SimServer::start(fast_options("vllm"));
  const Response r =
      request(server->port(), "POST", "/v1/chat/completions",
              R"({"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"x"}]})");
  EXPECT_EQ(r.status, 404);
  expect_same_shape(r, "vllm/vllm_error_404_model_not_found.json");
}

TEST(SimErrorShape, MalformedBodyIs400) {
  for (const char* profile : {"vllm", "sglang", "ollama", "llamacpp"}) {
    auto server = SimServer::start(fast_options(profile));
    const Response r = request(server->port(), "POST", "/v1/chat/completions", "{not json");
    EXPECT_EQ(r.status, 400) << profile;
    EXPECT_FALSE(ordered_json::parse(r.body, nullptr, false).is_discarded()) << profile;
  }
}

TEST(SimErrorShape, SglangContextLength) {
  auto server = SimServer::start(fast_options("sglang"));
  const std::string msgs = R"("messages":[{"role":"user","content":")" + long_prompt(9000) + "\"}]";
  const Response r = request(server->port(), "POST", "/v1/chat/completions", "{" + msgs + "}");
  EXPECT_EQ(r.status, 400);
  expect_same_shape(r, "sglang/sglang_error_400_context_length.json");
  // Streaming: 0.5.x reports it inside the stream, with json.dumps spacing, then [DONE].
  const Response s =
      request(server->port(), "POST", "/v1/chat/completions", "{" + msgs + ",\"stream\":true}");
  EXPECT_EQ(s.status, 200);
  const auto events = sse_events(s.body);
  ASSERT_EQ(events.size(), 2u) << s.body;
  EXPECT_EQ(events[0].rfind(R"({"error": {"object": "error", "message": )", 0), 0u) << events[0];
  EXPECT_EQ(events[1], "[DONE]");
}

TEST(SimErrorShape, LlamacppContextLengthClosesTheConnection) {
  auto server = SimServer::start(fast_options("llamacpp"));
  const Response r = request(
      server->port(), "POST", "/v1/chat/completions",
      R"({"stream":true,"messages":[{"role":"user","content":")" + long_prompt(9000) + "\"}]}");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.headers.at("content-type"), "application/json; charset=utf-8");
  EXPECT_EQ(r.headers.at("server"), "llama.cpp");
  expect_same_shape(r, "llamacpp/llamacpp_error_400_context.json");
}

TEST(SimErrorShape, OllamaUnknownModel) {
  auto server = SimServer::start(fast_options("ollama"));
  const Response a =
      request(server->port(), "POST", "/api/chat",
              R"({"model":"gpt-oss:120b","messages":[{"role":"user","content":"x"}]})");
  EXPECT_EQ(a.status, 404);
  expect_same_shape(a, "ollama/ollama_api_chat_error_404.json");
  const Response b =
      request(server->port(), "POST", "/v1/chat/completions",
              R"({"model":"gpt-oss:120b","messages":[{"role":"user","content":"x"}]})");
  EXPECT_EQ(b.status, 404);
  expect_same_shape(b, "ollama/ollama_v1_chat_error_404.json");
  EXPECT_EQ(b.body.back(), '\n');
}

// ---- auxiliary endpoints --------------------------------------------------------------------

struct Aux {
  std::string profile, method, path, body, fixture;
};

class SimAuxShape : public testing::TestWithParam<Aux> {};

TEST_P(SimAuxShape, MatchesTranscript) {
  const Aux& a = GetParam();
  auto server = SimServer::start(fast_options(a.profile));
  const Response r = request(server->port(), a.method, a.path, a.body);
  EXPECT_EQ(r.status, 200) << a.path;
  const std::string want = fixture(a.fixture);
  if (a.fixture.ends_with(".json")) {
    EXPECT_EQ(signature(ordered_json::parse(r.body)), signature(ordered_json::parse(want)))
        << r.body;
  } else if (a.fixture.ends_with(".ndjson")) {
    const auto got = ndjson_lines(r.body);
    ASSERT_FALSE(got.empty());
    EXPECT_EQ(got.front(), ndjson_lines(want).front());
    EXPECT_EQ(got.back(), ndjson_lines(want).back());
  } else {
    EXPECT_EQ(r.body, want);  // .txt / .body: exact
  }
}

INSTANTIATE_TEST_SUITE_P(
    Fixtures, SimAuxShape,
    testing::Values(Aux{"vllm", "GET", "/v1/models", "", "vllm/vllm_v1_models.json"},
                    Aux{"vllm", "GET", "/version", "", "vllm/vllm_version.json"},
                    Aux{"vllm", "GET", "/health", "", "vllm/vllm_health.body"},
                    Aux{"vllm", "POST", "/tokenize", fixture("vllm/vllm_tokenize_request.json"),
                        "vllm/vllm_tokenize_response.json"},
                    Aux{"sglang", "GET", "/v1/models", "", "sglang/sglang_v1_models.json"},
                    Aux{"sglang", "GET", "/get_model_info", "",
                        "sglang/sglang_get_model_info.json"},
                    Aux{"sglang", "GET", "/health", "", "sglang/sglang_health.body"},
                    Aux{"sglang", "POST", "/flush_cache", "", "sglang/sglang_flush_cache.txt"},
                    Aux{"ollama", "GET", "/", "", "ollama/ollama_root.txt"},
                    Aux{"ollama", "GET", "/api/version", "", "ollama/ollama_api_version.json"},
                    Aux{"ollama", "GET", "/api/tags", "", "ollama/ollama_api_tags.json"},
                    Aux{"ollama", "GET", "/api/ps", "", "ollama/ollama_api_ps.json"},
                    Aux{"ollama", "GET", "/v1/models", "", "ollama/ollama_v1_models.json"},
                    Aux{"ollama", "POST", "/api/pull", R"({"model":"gpt-oss:20b"})",
                        "ollama/ollama_api_pull_stream.ndjson"},
                    Aux{"llamacpp", "GET", "/health", "", "llamacpp/llamacpp_health.json"},
                    Aux{"llamacpp", "GET", "/v1/models", "", "llamacpp/llamacpp_v1_models.json"},
                    Aux{"llamacpp", "POST", "/tokenize", R"({"content":"Hello world 안녕"})",
                        "llamacpp/llamacpp_tokenize_response.json"}),
    [](const testing::TestParamInfo<Aux>& i) {
      std::string n = i.param.profile + i.param.path;
      for (char& ch : n) {
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      }
      return n;
    });

TEST(SimMetrics, ExposeTheRealNames) {
  const std::map<std::string, std::vector<std::string>> names = {
      {"vllm",
       {"vllm:num_requests_running", "vllm:num_requests_waiting", "vllm:kv_cache_usage_perc",
        "vllm:prefix_cache_queries_total", "vllm:prefix_cache_hits_total",
        "vllm:prompt_tokens_total", "vllm:generation_tokens_total"}},
      {"sglang",
       {"sglang:num_running_reqs", "sglang:num_queue_reqs", "sglang:token_usage",
        "sglang:cache_hit_rate", "sglang:prompt_tokens_total", "sglang:generation_tokens_total",
        "sglang:cached_tokens_total"}},
      {"llamacpp",
       {"llamacpp:prompt_tokens_total", "llamacpp:tokens_predicted_total",
        "llamacpp:requests_processing", "llamacpp:requests_deferred"}}};
  for (const auto& [profile, list] : names) {
    auto server = SimServer::start(fast_options(profile));
    request(server->port(), "POST", "/v1/completions",
            R"({"prompt":"Hello there","max_tokens":3,"ignore_eos":true})");
    const Response r = request(server->port(), "GET", "/metrics");
    EXPECT_EQ(r.status, 200);
    for (const auto& n : list) {
      EXPECT_NE(r.body.find("\n" + n), std::string::npos) << profile << " " << n;
    }
  }
}

TEST(SimKeepalive, TwoRequestsOnOneConnection) {
  namespace asio = boost::asio;
  auto server = SimServer::start(fast_options("vllm"));
  asio::io_context ioc;
  asio::ip::tcp::socket sock(ioc);
  sock.connect({asio::ip::make_address("127.0.0.1"), server->port()});
  const std::string body =
      R"({"model":"meta-llama/Llama-3.1-8B-Instruct","prompt":"Hi","max_tokens":3,"ignore_eos":true,"stream":true})";
  const std::string req =
      "POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\n\r\n" + body;
  for (int i = 0; i < 2; ++i) {
    asio::write(sock, asio::buffer(req));
    std::string raw;
    char buf[4096];
    // The last chunk "0\r\n\r\n" after the head (a header value may end in 0 too).
    auto done = [&] {
      const auto head_end = raw.find("\r\n\r\n");
      return head_end != std::string::npos &&
             raw.find("\r\n0\r\n\r\n", head_end + 2) != std::string::npos;
    };
    while (!done()) raw.append(buf, sock.read_some(asio::buffer(buf)));
    const Response r = parse_response(raw);
    EXPECT_EQ(r.status, 200);
    EXPECT_TRUE(r.complete);
    EXPECT_EQ(sse_events(r.body).back(), "[DONE]");
  }
}

}  // namespace

// vLLM serves POST /reset_prefix_cache only in development mode (VLLM_SERVER_DEV_MODE=1), as the
// vllm preset starts it; without it the path is unknown (404), as on a default vLLM.
TEST(SimResetPrefixCache, OnlyInVllmDevelopmentMode) {
  auto server = SimServer::start(fast_options("vllm"));
  ::unsetenv("VLLM_SERVER_DEV_MODE");
  EXPECT_EQ(request(server->port(), "POST", "/reset_prefix_cache", "").status, 404);
  ::setenv("VLLM_SERVER_DEV_MODE", "1", 1);
  const Response reset = request(server->port(), "POST", "/reset_prefix_cache", "");
  EXPECT_EQ(reset.status, 200);
  EXPECT_EQ(reset.body, "");
  auto sglang = SimServer::start(fast_options("sglang"));
  EXPECT_EQ(request(sglang->port(), "POST", "/reset_prefix_cache", "").status, 404);
  ::unsetenv("VLLM_SERVER_DEV_MODE");
}
