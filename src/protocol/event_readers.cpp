#include "protocol/event_readers.h"

#include <algorithm>

#include "protocol/json_fields.h"

namespace servemeter {

using simdjson::ondemand::array;
using simdjson::ondemand::field;
using simdjson::ondemand::json_type;
using simdjson::ondemand::object;

namespace {

constexpr double kNsPerMs = 1e6;

// A text field: whether it carries text, and its characters.
void count_text(JsonValue value, bool& has_text, std::int64_t& chars) {
  const std::int64_t n = json_string_chars(value);
  has_text = has_text || n > 0;
  chars += n;
}
void count_mirrored_text(JsonValue value, bool& has_text, std::int64_t& chars) {
  const std::int64_t n = json_string_chars(value);
  has_text = has_text || n > 0;
  chars = std::max(chars, n);
}

void read_openai_choice(object choice, EventFacts& facts) {
  for (field f : choice) {
    const auto key = f.key();
    // Dispatch on the first letter: most keys (index, logprobs, token_ids…) then cost one compare.
    switch (first_char(key)) {
      case 'd':
        if (key == "delta") {
          for (field d : as_object(f.value())) {
            const auto dkey = d.key();
            if (dkey == "content") {
              count_text(d.value(), facts.content, facts.content_chars);
            } else if (dkey == "reasoning_content" || dkey == "reasoning") {
              // vLLM 0.11.1–0.15 mirror the same text in both: counted once.
              count_mirrored_text(d.value(), facts.reasoning, facts.reasoning_chars);
            }
          }
        }
        break;
      case 't':
        if (key == "text") count_text(f.value(), facts.content, facts.content_chars);
        break;
      case 'f':
        if (key == "finish_reason") facts.finish_reason = string_or_empty(f.value());
        break;
      default:
        break;
    }
  }
}

}  // namespace

void OpenAiReader::read(JsonObject event, EventFacts& facts) {
  bool flat_error = false;  // {"object":"error","message":…}: the pre-0.10.2 vLLM shape
  std::string_view flat_message;
  for (field f : event) {
    const auto key = f.key();
    switch (first_char(key)) {  // id, created, model… skip after one compare
      case 'c':
        if (key == "choices") {
          // One choice per request (n=1); later ones would be other sequences: only [0] counts.
          for (object choice : as_array(f.value())) {
            read_openai_choice(choice, facts);
            break;
          }
        }
        break;
      case 'u':
        if (key == "usage") read_openai_usage(f.value(), facts);
        break;
      case 't':
        if (key == "timings") read_llamacpp_timings(f.value(), facts);
        break;
      case 'e':
        if (key == "error") read_error(f.value(), facts);
        break;
      case 'o':
        // Every chunk has "object"; compare the raw token rather than decoding the string.
        if (key == "object") {
          flat_error = f.value().raw_json_token().starts_with("\"error\"");
        }
        break;
      case 'm':
        if (key == "message") flat_message = string_or_empty(f.value());
        break;
      default:
        break;
    }
  }
  if (flat_error && !facts.error) {
    facts.error = true;
    facts.error_message = flat_message;
  }
}

void OllamaReader::read(JsonObject event, EventFacts& facts) {
  for (field f : event) {
    const auto key = f.key();
    if (key == "message") {
      for (field m : as_object(f.value())) {
        const auto mkey = m.key();
        if (mkey == "content") {
          count_text(m.value(), facts.content, facts.content_chars);
        } else if (mkey == "thinking") {
          count_text(m.value(), facts.reasoning, facts.reasoning_chars);
        }
      }
    } else if (key == "response") {
      count_text(f.value(), facts.content, facts.content_chars);
    } else if (key == "thinking") {
      count_text(f.value(), facts.reasoning, facts.reasoning_chars);
    } else if (key == "done") {
      facts.done = f.value().get_bool().value();
    } else if (key == "done_reason") {
      facts.finish_reason = string_or_empty(f.value());
    } else if (key == "prompt_eval_count") {
      facts.prompt_tokens = int_or_absent(f.value());
    } else if (key == "eval_count") {
      facts.completion_tokens = int_or_absent(f.value());
    } else if (key == "prompt_eval_duration") {
      facts.timing.prompt_ms = f.value().get_double().value() / kNsPerMs;
    } else if (key == "eval_duration") {
      facts.timing.predicted_ms = f.value().get_double().value() / kNsPerMs;
    } else if (key == "total_duration") {
      facts.timing.total_ms = f.value().get_double().value() / kNsPerMs;
    } else if (key == "load_duration") {
      facts.timing.load_ms = f.value().get_double().value() / kNsPerMs;
    } else if (key == "error") {
      read_error(f.value(), facts);
    }
  }
}

void SglangGenerateReader::read(JsonObject event, EventFacts& facts) {
  for (field f : event) {
    const auto key = f.key();
    if (key == "text") {
      read_text(raw_string_body(f.value()), facts);
    } else if (key == "meta_info") {
      for (field m : as_object(f.value())) {
        const auto mkey = m.key();
        if (mkey == "finish_reason") {
          // null until the end, then {"type":"length"|"stop"|"abort", …}.
          JsonValue reason = m.value();
          if (reason.type().value() == json_type::object) {
            for (field r : as_object(reason)) {
              if (r.key() == "type") facts.finish_reason = string_or_empty(r.value());
            }
          }
        } else if (mkey == "prompt_tokens") {
          facts.prompt_tokens = int_or_absent(m.value());
        } else if (mkey == "completion_tokens") {
          facts.completion_tokens = int_or_absent(m.value());
        } else if (mkey == "cached_tokens") {
          facts.cached_tokens = int_or_absent(m.value());
        } else if (mkey == "e2e_latency") {
          facts.timing.total_ms = m.value().get_double().value() * 1000.0;  // seconds
        }
      }
    } else if (key == "error") {
      read_error(f.value(), facts);
    }
  }
}

void SglangGenerateReader::read_text(std::string_view raw_text, EventFacts& facts) {
  if (!incremental) {
    if (raw_text.starts_with(previous)) {
      facts.content = raw_text.size() > previous.size();
      facts.content_chars = json_string_chars(raw_text.substr(previous.size()));
      previous.assign(raw_text);
      return;
    }
    incremental = true;  // the text dropped its prefix: these are deltas
    previous.clear();
  }
  facts.content = !raw_text.empty();
  facts.content_chars = json_string_chars(raw_text);
}

}  // namespace servemeter
