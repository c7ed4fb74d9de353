#include "protocol/json_fields.h"

namespace servemeter {

using simdjson::ondemand::field;
using simdjson::ondemand::json_type;
using simdjson::ondemand::object;

bool is_nonempty_string(JsonValue value) {
  const std::string_view token = value.raw_json_token();
  // A non-empty string's second byte is a character or a backslash, never the closing quote.
  return token.size() >= 2 && token[0] == '"' && token[1] != '"';
}

std::int64_t json_string_chars(std::string_view body) {
  // \uD800–\uDBFF: the first half of a surrogate pair, which with its second half is one character.
  const auto high_surrogate_at = [&](std::size_t i) {
    if (i + 5 >= body.size() || (body[i + 2] != 'd' && body[i + 2] != 'D')) return false;
    const char h = body[i + 3];
    return h == '8' || h == '9' || h == 'a' || h == 'b' || h == 'A' || h == 'B';
  };
  std::int64_t chars = 0;
  for (std::size_t i = 0; i < body.size();) {
    const auto c = static_cast<unsigned char>(body[i]);
    if (c == '\\' && i + 1 < body.size()) {
      if (body[i + 1] != 'u') {
        i += 2;
      } else if (high_surrogate_at(i) && i + 7 < body.size() && body[i + 6] == '\\' &&
                 body[i + 7] == 'u') {
        i += 12;
      } else {
        i += 6;
      }
      ++chars;
      continue;
    }
    chars += (c & 0xC0) != 0x80;
    ++i;
  }
  return chars;
}

std::int64_t json_string_chars(JsonValue value) {
  return json_string_chars(raw_string_body(value));
}

std::string_view raw_string_body(JsonValue value) {
  std::string_view token = value.raw_json_token();
  if (token.empty() || token.front() != '"') return {};
  // The token may carry the whitespace that followed it.
  while (!token.empty() && token.back() != '"') token.remove_suffix(1);
  if (token.size() < 2) return {};
  return token.substr(1, token.size() - 2);
}

std::string_view string_or_empty(JsonValue value) {
  if (value.type().value() != json_type::string) return {};
  return value.get_string().value();
}

std::int64_t int_or_absent(JsonValue value) {
  if (value.is_null().value()) return -1;
  return value.get_int64().value();
}

void read_error(JsonValue value, EventFacts& facts) {
  switch (value.type().value()) {
    case json_type::null:
      return;
    case json_type::string:
      facts.error = true;
      facts.error_message = value.get_string().value();
      return;
    case json_type::object:
      facts.error = true;
      for (field f : as_object(value)) {
        if (f.key() == "message") facts.error_message = string_or_empty(f.value());
      }
      return;
    default:
      facts.error = true;  // an odd shape, but the server did say "error"
      return;
  }
}

namespace {

std::int64_t read_details(JsonValue value, std::string_view key) {
  if (value.is_null().value()) return -1;
  std::int64_t result = -1;
  for (field f : as_object(value)) {
    if (f.key() == key) result = int_or_absent(f.value());
  }
  return result;
}

}  // namespace

void read_openai_usage(JsonValue value, EventFacts& facts) {
  if (value.is_null().value()) return;
  for (field f : as_object(value)) {
    const auto key = f.key();
    if (key == "prompt_tokens") {
      facts.prompt_tokens = int_or_absent(f.value());
    } else if (key == "completion_tokens") {
      facts.completion_tokens = int_or_absent(f.value());
    } else if (key == "prompt_tokens_details") {
      facts.cached_tokens = read_details(f.value(), "cached_tokens");
    } else if (key == "reasoning_tokens") {
      facts.reasoning_tokens = int_or_absent(f.value());
    } else if (key == "completion_tokens_details") {
      const std::int64_t reasoning = read_details(f.value(), "reasoning_tokens");
      if (reasoning >= 0) facts.reasoning_tokens = reasoning;
    }
  }
}

void read_llamacpp_timings(JsonValue value, EventFacts& facts) {
  if (value.is_null().value()) return;
  for (field f : as_object(value)) {
    const auto key = f.key();
    if (key == "prompt_ms") {
      facts.timing.prompt_ms = f.value().get_double().value();
    } else if (key == "predicted_ms") {
      facts.timing.predicted_ms = f.value().get_double().value();
    } else if (key == "cache_n") {
      facts.timing.cache_n = f.value().get_int64().value();
    }
  }
}

}  // namespace servemeter
