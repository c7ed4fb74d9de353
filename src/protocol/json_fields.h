#pragma once
// Readers for JSON pieces several APIs share (error objects, OpenAI-style usage, llama.cpp
// timings) and small value tests. All take simdjson On-Demand values and throw
// simdjson::simdjson_error on malformed input; the caller turns that into bad_payload.
#include <simdjson.h>

#include <cstdint>
#include <string_view>

#include "protocol/event_facts.h"

namespace servemeter {

using JsonValue = simdjson::ondemand::value;

// By value, so a range-for over the result owns it: `for (x : v.get_object().value())` would
// iterate a reference into a destroyed temporary.
inline simdjson::ondemand::object as_object(JsonValue value) {
  return value.get_object().value();
}
// The first character of a key as it appears on the wire (keys are never empty here).
inline char first_char(simdjson::ondemand::raw_json_string key) {
  return *key.raw();
}
inline simdjson::ondemand::array as_array(JsonValue value) {
  return value.get_array().value();
}

// A string with at least one character. Looks at the raw token only (no unescaping): `""`,
// `null` and absent all mean "no text".
bool is_nonempty_string(JsonValue value);
// Characters (code points) of a JSON string value, read from its raw token without unescaping
// (an escape is one character, a surrogate pair one); 0 for an empty string or a non-string.
std::int64_t json_string_chars(JsonValue value);
std::int64_t json_string_chars(std::string_view raw_body);
// The raw (still escaped) characters of a string value without its quotes; empty when the value is
// not a string. Escaping is per character, so prefix tests on raw text match the decoded text.
std::string_view raw_string_body(JsonValue value);
// A string's decoded text; empty when the value is null or not a string.
std::string_view string_or_empty(JsonValue value);
// An integer; -1 when null.
std::int64_t int_or_absent(JsonValue value);

// `"error": "text"` (Ollama) or `"error": {"message": …}` (vLLM, SGLang, llama.cpp). A null
// error is not an error.
void read_error(JsonValue value, EventFacts& facts);
// OpenAI `usage` (null allowed): prompt/completion tokens, prompt_tokens_details.cached_tokens,
// reasoning_tokens (SGLang) or completion_tokens_details.reasoning_tokens.
void read_openai_usage(JsonValue value, EventFacts& facts);
// llama.cpp `timings`: prompt_ms, predicted_ms, cache_n.
void read_llamacpp_timings(JsonValue value, EventFacts& facts);

}  // namespace servemeter
