#include "sim/request.h"

#include <simdjson.h>

#include <cstdint>
#include <string_view>

namespace servemeter::sim {
namespace {

namespace dom = simdjson::dom;

constexpr TokenId kBos = 128000;
constexpr TokenId kStartHeader = 128006;
constexpr TokenId kEndHeader = 128007;
constexpr TokenId kEot = 128009;
constexpr TokenId kNewlines = 271;

// Bodies above this size are parsed with a parser of their own, freed afterwards, so the reused
// one does not keep a huge buffer for the rest of the run.
constexpr std::size_t kReusedParserLimit = 4 * 1024 * 1024;

TokenId role_id(std::string_view role) {
  if (role == "system") return 9125;
  if (role == "assistant") return 78191;
  if (role == "tool") return 14506;
  return 882;  // user
}

// The value of `key` in `obj`; with duplicate keys the last one, as nlohmann (which this parser
// replaced) kept it.
bool field(dom::object obj, std::string_view key, dom::element& out) {
  bool found = false;
  for (const dom::key_value_pair kv : obj) {
    if (kv.key == key) {
      out = kv.value;
      found = true;
    }
  }
  return found;
}

bool field(dom::element obj, std::string_view key, dom::element& out) {
  dom::object o;
  return obj.get(o) == simdjson::SUCCESS && field(o, key, out);
}

bool string_field(dom::element obj, std::string_view key, std::string_view& out) {
  dom::element value;
  return field(obj, key, value) && value.get(out) == simdjson::SUCCESS;
}

// An integer (signed or unsigned, never a number written with a fraction or an exponent),
// converted as nlohmann's get<T>() does: a plain static_cast.
template <class T>
std::optional<T> integer(dom::element value) {
  if (value.type() == dom::element_type::INT64) {
    std::int64_t v = 0;
    if (value.get(v) == simdjson::SUCCESS) return static_cast<T>(v);
  } else if (value.type() == dom::element_type::UINT64) {
    std::uint64_t v = 0;
    if (value.get(v) == simdjson::SUCCESS) return static_cast<T>(v);
  }
  return std::nullopt;
}

// OpenAI content: a string, or an array of parts of which the text parts count.
std::string content_text(dom::element content) {
  std::string_view text;
  if (content.get(text) == simdjson::SUCCESS) return std::string(text);
  std::string out;
  dom::array parts;
  if (content.get(parts) == simdjson::SUCCESS) {
    for (const dom::element part : parts) {
      if (string_field(part, "text", text)) out += text;
    }
  }
  return out;
}

bool read_messages(dom::object body, std::vector<std::pair<std::string, std::string>>& out,
                   ParseError& error) {
  dom::element value;
  dom::array messages;
  if (!field(body, "messages", value) || value.get(messages) != simdjson::SUCCESS ||
      messages.size() == 0) {
    error.message = "'messages' must be a non-empty array";
    return false;
  }
  for (const dom::element m : messages) {
    // A role that is not a string is refused too (nlohmann's value() threw on it).
    dom::element role_value;
    std::string_view role = "user";
    if (!m.is_object() ||
        (field(m, "role", role_value) && role_value.get(role) != simdjson::SUCCESS)) {
      error.message = "each message must be an object with 'role' and 'content'";
      return false;
    }
    dom::element content;
    out.emplace_back(role, field(m, "content", content) ? content_text(content) : std::string());
  }
  return true;
}

std::optional<int> opt_int(dom::element obj, std::string_view key) {
  dom::element value;
  if (field(obj, key, value)) return integer<int>(value);
  return std::nullopt;
}

bool opt_bool(dom::element obj, std::string_view key, bool fallback) {
  dom::element value;
  bool b = false;
  if (field(obj, key, value) && value.get(b) == simdjson::SUCCESS) return b;
  return fallback;
}

// Parses `text` into `root` with the reused parser, or with `own` for a large body. Integers
// beyond 64 bits and nesting deeper than 1,024 levels are refused (nlohmann took them): no
// client of a serving API sends either.
simdjson::error_code parse_json(std::string_view text, std::size_t readable,
                                std::optional<dom::parser>& own, dom::element& root) {
  thread_local dom::parser reused;
  dom::parser* parser = &reused;
  if (text.size() > kReusedParserLimit) parser = &own.emplace();
  // The string's spare capacity serves as simdjson's padding when there is enough of it.
  const bool copy = readable - text.size() < simdjson::SIMDJSON_PADDING;
  return parser->parse(text.data(), text.size(), copy).get(root);
}

}  // namespace

Tokens content_tokens(std::string_view text, const Tokenizer* tokenizer) {
  return tokenizer != nullptr ? tokenizer->encode(text) : approx_tokenize(text);
}

Tokens chat_template_tokens(const std::vector<std::pair<std::string, std::string>>& messages,
                            const Tokenizer* tokenizer) {
  Tokens out{kBos};
  for (const auto& [role, content] : messages) {
    out.insert(out.end(), {kStartHeader, role_id(role), kEndHeader, kNewlines});
    const Tokens ids = content_tokens(content, tokenizer);
    out.insert(out.end(), ids.begin(), ids.end());
    out.push_back(kEot);
  }
  out.insert(out.end(), {kStartHeader, role_id("assistant"), kEndHeader, kNewlines});
  return out;
}

Tokens completion_tokens(const std::string& prompt, const Tokenizer* tokenizer) {
  Tokens out{kBos};
  const Tokens ids = content_tokens(prompt, tokenizer);
  out.insert(out.end(), ids.begin(), ids.end());
  return out;
}

std::optional<GenRequest> parse_generation(Api api, const std::string& body_text, ParseError& error,
                                           const Tokenizer* tokenizer) try {
  // As nlohmann did: skip a UTF-8 byte order mark, and read nothing after a NUL byte.
  std::string_view text = body_text;
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  text = text.substr(0, text.find('\0'));
  const std::size_t readable = body_text.capacity() - (text.data() - body_text.data());

  std::optional<dom::parser> own_parser;  // declared before `root`, which points into it
  dom::element root;
  dom::object body;
  if (parse_json(text, readable, own_parser, root) != simdjson::SUCCESS ||
      root.get(body) != simdjson::SUCCESS) {
    error.message = "request body is not a JSON object";
    return std::nullopt;
  }
  GenRequest r;
  r.api = api;
  std::string_view str;
  if (string_field(root, "model", str)) r.model = std::string(str);
  switch (api) {
    case Api::openai_chat:
    case Api::ollama_chat: {
      std::vector<std::pair<std::string, std::string>> messages;
      if (!read_messages(body, messages, error)) return std::nullopt;
      r.prompt = chat_template_tokens(messages, tokenizer);
      break;
    }
    case Api::openai_completions:
    case Api::ollama_generate: {
      dom::element prompt_value;
      const bool has_prompt = field(body, "prompt", prompt_value);
      if (!has_prompt || prompt_value.get(str) != simdjson::SUCCESS) {
        dom::array prompts;
        dom::element first;
        if (has_prompt && prompt_value.get(prompts) == simdjson::SUCCESS &&
            prompts.at(0).get(first) == simdjson::SUCCESS && first.get(str) == simdjson::SUCCESS) {
          r.prompt = completion_tokens(std::string(str), tokenizer);
          break;
        }
        error.message = "'prompt' must be a string";
        return std::nullopt;
      }
      const std::string prompt(str);
      if (api == Api::ollama_generate) {
        r.prompt =
            chat_template_tokens({{"user", prompt}}, tokenizer);  // Ollama applies the template
      } else {
        r.prompt = completion_tokens(prompt, tokenizer);
      }
      break;
    }
    case Api::sglang_generate: {
      dom::element ids_value;
      dom::array ids;
      if (string_field(root, "text", str)) {
        r.prompt = completion_tokens(std::string(str), tokenizer);
      } else if (field(body, "input_ids", ids_value) && ids_value.get(ids) == simdjson::SUCCESS) {
        for (const dom::element id : ids) {
          if (const auto token = integer<TokenId>(id)) r.prompt.push_back(*token);
        }
      } else {
        error.message = "either 'text' or 'input_ids' must be given";
        return std::nullopt;
      }
      break;
    }
  }
  if (api == Api::openai_chat || api == Api::openai_completions) {
    r.max_tokens = opt_int(root, "max_completion_tokens");
    if (!r.max_tokens) r.max_tokens = opt_int(root, "max_tokens");
    r.min_tokens = opt_int(root, "min_tokens").value_or(0);
    r.ignore_eos = opt_bool(root, "ignore_eos", false);
    r.stream = opt_bool(root, "stream", false);
    dom::element stream_options;
    if (field(body, "stream_options", stream_options) && stream_options.is_object()) {
      // vLLM: include_usage defaults to true once stream_options is present.
      r.include_usage = opt_bool(stream_options, "include_usage", true);
    }
  } else if (api == Api::ollama_chat || api == Api::ollama_generate) {
    r.stream = opt_bool(root, "stream", true);  // Ollama streams by default
    dom::element options;
    if (field(body, "options", options) && options.is_object()) {
      const auto n = opt_int(options, "num_predict");
      if (n && *n > 0) {
        r.max_tokens = *n;
        r.ignore_eos = true;  // benchmarks ask for exact lengths this way
      }
      r.num_ctx = opt_int(options, "num_ctx");
    }
  } else {
    // A missing or non-object sampling_params leaves every default.
    dom::element sp;
    const bool has_sp = field(body, "sampling_params", sp);
    r.max_tokens = (has_sp ? opt_int(sp, "max_new_tokens") : std::nullopt).value_or(128);
    r.min_tokens = (has_sp ? opt_int(sp, "min_new_tokens") : std::nullopt).value_or(0);
    r.ignore_eos = has_sp && opt_bool(sp, "ignore_eos", false);
    r.stream = opt_bool(root, "stream", false);
  }
  if (r.max_tokens && *r.max_tokens < 1) {
    error.message = "max_tokens must be at least 1, got " + std::to_string(*r.max_tokens);
    return std::nullopt;
  }
  return r;
} catch (const simdjson::simdjson_error&) {
  // Every simdjson call above reports errors by code; this only keeps any exception inside.
  error.message = "request body is not a JSON object";
  return std::nullopt;
}

}  // namespace servemeter::sim
