// Unit tests of parse_generation: how the simulated servers read a generation request body.
#include "sim/request.h"

#include <gtest/gtest.h>

#include <string>

namespace servemeter::sim {
namespace {

using Messages = std::vector<std::pair<std::string, std::string>>;

GenRequest parse_ok(Api api, const std::string& body) {
  ParseError error;
  const std::optional<GenRequest> r = parse_generation(api, body, error);
  EXPECT_TRUE(r.has_value()) << body << " -> " << error.message;
  return r.value_or(GenRequest{});
}

ParseError parse_error(Api api, const std::string& body) {
  ParseError error;
  const std::optional<GenRequest> r = parse_generation(api, body, error);
  EXPECT_FALSE(r.has_value()) << body;
  return error;
}

TEST(ParseGeneration, ChatMessagesAndDefaults) {
  const GenRequest r = parse_ok(Api::openai_chat, R"({"model":"m1","messages":[
      {"role":"system","content":"Be brief."},{"role":"user","content":"Hi"}]})");
  EXPECT_EQ(r.api, Api::openai_chat);
  EXPECT_EQ(r.model, "m1");
  EXPECT_EQ(r.prompt, chat_template_tokens({{"system", "Be brief."}, {"user", "Hi"}}));
  EXPECT_FALSE(r.max_tokens.has_value());
  EXPECT_EQ(r.min_tokens, 0);
  EXPECT_FALSE(r.ignore_eos);
  EXPECT_FALSE(r.stream);
  EXPECT_FALSE(r.include_usage);
  EXPECT_FALSE(r.num_ctx.has_value());
}

TEST(ParseGeneration, ContentAsArrayOfParts) {
  const GenRequest r = parse_ok(Api::openai_chat, R"({"messages":[{"role":"user","content":[
      {"type":"text","text":"Hello "},
      {"type":"image_url","image_url":{"url":"http://x"}},
      {"type":"text","text":5},
      "loose string",
      {"type":"text","text":"world"}]}]})");
  EXPECT_EQ(r.prompt, chat_template_tokens({{"user", "Hello world"}}));
  EXPECT_TRUE(r.model.empty());
}

TEST(ParseGeneration, MissingRoleIsUserAndMissingOrNullContentIsEmpty) {
  const GenRequest r = parse_ok(Api::openai_chat,
                                R"({"messages":[{"content":"a"},{"role":"assistant"},
                                    {"role":"tool","content":null}]})");
  EXPECT_EQ(r.prompt, chat_template_tokens({{"user", "a"}, {"assistant", ""}, {"tool", ""}}));
}

TEST(ParseGeneration, IntegerWrittenAsFloatIsIgnored) {
  const GenRequest r =
      parse_ok(Api::openai_chat,
               R"({"messages":[{"role":"user","content":"x"}],"max_tokens":5.0,"min_tokens":2e0})");
  EXPECT_FALSE(r.max_tokens.has_value());
  EXPECT_EQ(r.min_tokens, 0);
  // A float max_completion_tokens does not hide an integer max_tokens.
  const GenRequest r2 =
      parse_ok(Api::openai_completions,
               R"({"prompt":"x","max_completion_tokens":7.5,"max_tokens":9,"min_tokens":3})");
  EXPECT_EQ(r2.max_tokens, 9);
  EXPECT_EQ(r2.min_tokens, 3);
}

TEST(ParseGeneration, MaxCompletionTokensWinsAndUnsignedIntegersCount) {
  const GenRequest r = parse_ok(
      Api::openai_chat,
      R"({"messages":[{"role":"user","content":"x"}],"max_completion_tokens":40,"max_tokens":9})");
  EXPECT_EQ(r.max_tokens, 40);
  // 2^63 + 5 only fits an unsigned 64-bit integer; nlohmann converted it with a static_cast.
  const GenRequest r2 =
      parse_ok(Api::sglang_generate, R"({"input_ids":[1, 9223372036854775813, -1, 2.0, "3", 4]})");
  EXPECT_EQ(r2.prompt, (Tokens{1, 5, 0xFFFFFFFFu, 4}));
}

TEST(ParseGeneration, NumbersAndNestingNoClientSendsAreRefused) {
  // Integers beyond 64 bits, doubles beyond range and nesting deeper than 1,024 levels.
  const std::string deep = std::string(3000, '[') + std::string(3000, ']');
  for (const std::string& body :
       {std::string(R"({"prompt":"x","max_tokens":123456789012345678901234})"),
        std::string(R"({"prompt":"x","max_tokens":1e400})"),
        R"({"prompt":"x","extra":)" + deep + R"(,"max_tokens":6})"}) {
    const ParseError e = parse_error(Api::openai_completions, body);
    EXPECT_EQ(e.status, 400);
    EXPECT_EQ(e.message, "request body is not a JSON object") << body.substr(0, 60);
  }
}

TEST(ParseGeneration, InvalidJsonBody) {
  for (const std::string body : {R"({"messages":[)", "", "   ", R"({"prompt":"x",})", "nul",
                                 R"({"prompt":"x"} trailing)", "{\"prompt\":\"\x80\"}"}) {
    const ParseError e = parse_error(Api::openai_completions, body);
    EXPECT_EQ(e.status, 400);
    EXPECT_EQ(e.message, "request body is not a JSON object") << body;
  }
}

TEST(ParseGeneration, BodyThatIsNotAnObject) {
  for (const std::string body :
       {R"([{"role":"user","content":"hi"}])", R"("text")", "42", "null", "true"}) {
    const ParseError e = parse_error(Api::openai_chat, body);
    EXPECT_EQ(e.status, 400);
    EXPECT_EQ(e.message, "request body is not a JSON object") << body;
  }
}

TEST(ParseGeneration, ByteOrderMarkAndTrailingNulAreAccepted) {
  const GenRequest r = parse_ok(Api::openai_completions, "\xEF\xBB\xBF{\"prompt\":\"hi\"}");
  EXPECT_EQ(r.prompt, completion_tokens("hi"));
  const GenRequest r2 =
      parse_ok(Api::openai_completions, std::string("{\"prompt\":\"hi\"}\0junk", 20));
  EXPECT_EQ(r2.prompt, completion_tokens("hi"));
}

TEST(ParseGeneration, DuplicateKeysKeepTheLast) {
  const GenRequest r = parse_ok(
      Api::openai_completions,
      R"({"prompt":"first","max_tokens":3,"prompt":"second","max_tokens":4,"model":1,"model":"b"})");
  EXPECT_EQ(r.prompt, completion_tokens("second"));
  EXPECT_EQ(r.max_tokens, 4);
  EXPECT_EQ(r.model, "b");
}

TEST(ParseGeneration, MessageErrors) {
  const std::string need = "'messages' must be a non-empty array";
  EXPECT_EQ(parse_error(Api::openai_chat, R"({"model":"m"})").message, need);
  EXPECT_EQ(parse_error(Api::openai_chat, R"({"messages":[]})").message, need);
  EXPECT_EQ(parse_error(Api::ollama_chat, R"({"messages":{"role":"user"}})").message, need);
  const std::string each = "each message must be an object with 'role' and 'content'";
  EXPECT_EQ(parse_error(Api::openai_chat, R"({"messages":["hi"]})").message, each);
  // A role that is not a string: nlohmann's value() threw out of parse_generation here.
  EXPECT_EQ(parse_error(Api::openai_chat, R"({"messages":[{"role":5,"content":"x"}]})").message,
            each);
}

TEST(ParseGeneration, StreamOptionsIncludeUsage) {
  const std::string chat = R"({"messages":[{"role":"user","content":"x"}],"stream":true)";
  EXPECT_FALSE(parse_ok(Api::openai_chat, chat + "}").include_usage);
  EXPECT_TRUE(parse_ok(Api::openai_chat, chat + R"(,"stream_options":{}})").include_usage);
  EXPECT_TRUE(
      parse_ok(Api::openai_chat, chat + R"(,"stream_options":{"include_usage":1}})").include_usage);
  EXPECT_FALSE(parse_ok(Api::openai_chat, chat + R"(,"stream_options":{"include_usage":false}})")
                   .include_usage);
  EXPECT_FALSE(parse_ok(Api::openai_chat, chat + R"(,"stream_options":true})").include_usage);
  const GenRequest r = parse_ok(Api::openai_chat, chat + R"(,"ignore_eos":true})");
  EXPECT_TRUE(r.stream);
  EXPECT_TRUE(r.ignore_eos);
  EXPECT_FALSE(parse_ok(Api::openai_chat, chat + R"(,"ignore_eos":"true"})").ignore_eos);
}

TEST(ParseGeneration, CompletionPrompts) {
  EXPECT_EQ(parse_ok(Api::openai_completions, R"({"prompt":"abc"})").prompt,
            completion_tokens("abc"));
  EXPECT_EQ(parse_ok(Api::openai_completions, R"({"prompt":["abc","def"]})").prompt,
            completion_tokens("abc"));
  const std::string need = "'prompt' must be a string";
  EXPECT_EQ(parse_error(Api::openai_completions, R"({"prompt":[]})").message, need);
  EXPECT_EQ(parse_error(Api::openai_completions, R"({"prompt":[1,"abc"]})").message, need);
  EXPECT_EQ(parse_error(Api::ollama_generate, R"({"prompt":5})").message, need);
  EXPECT_EQ(parse_error(Api::openai_completions, R"({})").message, need);
}

TEST(ParseGeneration, Ollama) {
  const GenRequest r = parse_ok(Api::ollama_generate, R"({"model":"llama3","prompt":"hi"})");
  EXPECT_EQ(r.prompt, chat_template_tokens({{"user", "hi"}}));  // Ollama applies the template
  EXPECT_TRUE(r.stream);
  EXPECT_FALSE(r.max_tokens.has_value());
  EXPECT_FALSE(r.ignore_eos);
  // An array prompt is read as a completion prompt, without the template.
  EXPECT_EQ(parse_ok(Api::ollama_generate, R"({"prompt":["hi"]})").prompt, completion_tokens("hi"));

  const GenRequest c = parse_ok(Api::ollama_chat, R"({"messages":[{"role":"user","content":"q"}],
      "stream":false,"options":{"num_predict":12,"num_ctx":4096}})");
  EXPECT_FALSE(c.stream);
  EXPECT_EQ(c.max_tokens, 12);
  EXPECT_TRUE(c.ignore_eos);
  EXPECT_EQ(c.num_ctx, 4096);
  EXPECT_FALSE(c.include_usage);

  const GenRequest z = parse_ok(Api::ollama_chat, R"({"messages":[{"role":"user","content":"q"}],
      "options":{"num_predict":-1,"num_ctx":2048.0},"max_tokens":3})");
  EXPECT_FALSE(z.max_tokens.has_value());  // num_predict <= 0 means no limit
  EXPECT_FALSE(z.ignore_eos);
  EXPECT_FALSE(z.num_ctx.has_value());
}

TEST(ParseGeneration, SglangGenerate) {
  const GenRequest t = parse_ok(Api::sglang_generate, R"({"text":"hello"})");
  EXPECT_EQ(t.prompt, completion_tokens("hello"));
  EXPECT_EQ(t.max_tokens, 128);
  EXPECT_EQ(t.min_tokens, 0);
  EXPECT_FALSE(t.stream);

  const GenRequest ids = parse_ok(Api::sglang_generate, R"({"input_ids":[10,20,30],"stream":true,
      "sampling_params":{"max_new_tokens":16,"min_new_tokens":16,"ignore_eos":true}})");
  EXPECT_EQ(ids.prompt, (Tokens{10, 20, 30}));
  EXPECT_EQ(ids.max_tokens, 16);
  EXPECT_EQ(ids.min_tokens, 16);
  EXPECT_TRUE(ids.ignore_eos);
  EXPECT_TRUE(ids.stream);

  // A non-object sampling_params, or a float max_new_tokens, leaves the defaults.
  EXPECT_EQ(parse_ok(Api::sglang_generate, R"({"text":"a","sampling_params":[1]})").max_tokens,
            128);
  EXPECT_EQ(
      parse_ok(Api::sglang_generate, R"({"text":"a","sampling_params":{"max_new_tokens":8.0}})")
          .max_tokens,
      128);
  EXPECT_EQ(parse_error(Api::sglang_generate, R"({"text":5})").message,
            "either 'text' or 'input_ids' must be given");
}

TEST(ParseGeneration, MaxTokensBelowOne) {
  const ParseError e = parse_error(Api::openai_completions, R"({"prompt":"x","max_tokens":0})");
  EXPECT_EQ(e.status, 400);
  EXPECT_EQ(e.message, "max_tokens must be at least 1, got 0");
  EXPECT_EQ(
      parse_error(Api::sglang_generate, R"({"text":"x","sampling_params":{"max_new_tokens":-4}})")
          .message,
      "max_tokens must be at least 1, got -4");
}

TEST(ParseGeneration, ReusedParserHandlesLargeThenSmallBodies) {
  const std::string big(5 * 1024 * 1024, 'a');
  EXPECT_EQ(parse_ok(Api::openai_completions, R"({"prompt":")" + big + R"("})").prompt,
            completion_tokens(big));
  EXPECT_EQ(parse_ok(Api::openai_completions, R"({"prompt":"small","max_tokens":2})").max_tokens,
            2);
}

}  // namespace
}  // namespace servemeter::sim
