#include "results/request_line.h"

#include <array>
#include <cstring>
#include <utility>

#include "core/metrics.h"
#include "results/json_text.h"
#include "results/token_gaps.h"

namespace servemeter {
namespace {

namespace jt = json_text;
constexpr std::size_t kMessageBytes = 2048;  // error messages: enough to explain, bounded
constexpr std::size_t kShortBytes = 256;     // labels, finish reasons

constexpr std::array<std::pair<RecordFlag, std::string_view>, 1> kFlags{{
    {kFlagInvalidUtf8, "invalid_utf8"},
}};

std::string_view source_name(TokenCountSource s) {
  switch (s) {
    case TokenCountSource::server:
      return "server";
    case TokenCountSource::chunk_count:
      return "chunk_count";
    case TokenCountSource::none:
      break;
  }
  return "none";
}

void field_int(std::string& out, std::string_view name, std::int64_t value) {
  out.push_back(',');
  jt::key(out, name);
  jt::integer(out, value);
}
// Stamps and counts use 0 / -1 for "did not happen"; the log says null.
void field_ns(std::string& out, std::string_view name, std::int64_t ns) {
  out.push_back(',');
  jt::key(out, name);
  jt::integer_or_null(out, ns, ns != 0);
}
void field_count(std::string& out, std::string_view name, std::int64_t n) {
  out.push_back(',');
  jt::key(out, name);
  jt::integer_or_null(out, n, n >= 0);
}
void field_number(std::string& out, std::string_view name, const std::optional<double>& v) {
  out.push_back(',');
  jt::key(out, name);
  jt::number_or_null(out, v);
}
void field_string(std::string& out, std::string_view name, std::string_view text,
                  std::size_t max_bytes) {
  out.push_back(',');
  jt::key(out, name);
  if (text.empty()) {
    jt::null(out);
  } else {
    jt::string(out, text, max_bytes);
  }
}

// --- reading ---

std::optional<double> double_of(simdjson::dom::object o, std::string_view key) {
  double v = 0;
  if (o[key].get_double().get(v) == simdjson::SUCCESS) return v;
  return std::nullopt;
}

// Empties `r` (keeping its buffers) and `tags`.
void reset(RequestRecord& r, RequestTags& tags) {
  std::vector<std::int64_t> stamps = std::move(r.token_event_ns);
  std::string message = std::move(r.error_message);
  std::string finish = std::move(r.finish_reason);
  std::string cell = std::move(r.cell);
  r = RequestRecord{};
  r.token_event_ns = std::move(stamps);
  r.token_event_ns.clear();
  r.error_message = std::move(message);
  r.error_message.clear();
  r.finish_reason = std::move(finish);
  r.finish_reason.clear();
  r.cell = std::move(cell);
  tags = RequestTags{};
}

// A cursor over a line as append_request_line writes it. Each step takes exactly what the writer
// puts there, or fails: a line it cannot take goes to the JSON parser, which decides.
class WrittenLine {
 public:
  explicit WrittenLine(std::string_view line) : p_(line.data()), end_(line.data() + line.size()) {}

  // Literals as template arguments: comparisons of a known length, which the compiler inlines.
  template <std::size_t N>
  bool literal(const char (&text)[N]) {
    constexpr std::size_t size = N - 1;
    if (static_cast<std::size_t>(end_ - p_) < size || std::memcmp(p_, text, size) != 0)
      return false;
    p_ += size;
    return true;
  }
  // `,"name":`
  template <std::size_t N>
  bool key(const char (&name)[N]) {
    constexpr std::size_t size = N - 1;
    if (static_cast<std::size_t>(end_ - p_) < size + 4 || p_[0] != ',' || p_[1] != '"' ||
        std::memcmp(p_ + 2, name, size) != 0 || p_[size + 2] != '"' || p_[size + 3] != ':')
      return false;
    p_ += size + 4;
    return true;
  }
  bool null() { return literal("null"); }
  // A string of printable ASCII without escapes (what JSON and UTF-8 take as they are).
  bool string(std::string_view& out) {
    if (p_ == end_ || *p_ != '"') return false;
    const char* const begin = ++p_;
    while (p_ != end_ && *p_ != '"') {
      const auto c = static_cast<unsigned char>(*p_);
      if (c < 0x20 || c >= 0x7F || c == '\\') return false;
      ++p_;
    }
    if (p_ == end_) return false;
    out = std::string_view(begin, static_cast<std::size_t>(p_ - begin));
    ++p_;
    return true;
  }
  // The same, unchecked but for the closing quote: for base64url, which its decoder checks (any
  // other character, escapes and control characters included, fails the decoding, and the line
  // goes to the parser).
  bool string_unchecked(std::string_view& out) {
    if (p_ == end_ || *p_ != '"') return false;
    const char* const begin = ++p_;
    const void* quote = std::memchr(p_, '"', static_cast<std::size_t>(end_ - p_));
    if (quote == nullptr) return false;
    p_ = static_cast<const char*>(quote);
    out = std::string_view(begin, static_cast<std::size_t>(p_ - begin));
    ++p_;
    return true;
  }
  bool string_or_null(std::string_view& out) {
    out = {};
    return null() || string(out);
  }
  // A non-negative integer of at most 18 digits, without leading zeros (always an int64 to a
  // JSON parser).
  bool integer(std::int64_t& out) {
    const char* const begin = p_;
    std::uint64_t v = 0;  // 19 digits fit; a 19th is read only to refuse the number
    while (p_ != end_ && *p_ >= '0' && *p_ <= '9' && p_ - begin < 19)
      v = v * 10 + static_cast<std::uint64_t>(*p_++ - '0');
    const auto digits = p_ - begin;
    if (digits == 0 || digits > 18 || (digits > 1 && *begin == '0')) return false;
    if (p_ != end_ && (*p_ == '.' || *p_ == 'e' || *p_ == 'E')) return false;
    out = static_cast<std::int64_t>(v);
    return true;
  }
  bool integer_or_null(std::int64_t& out, std::int64_t if_null) {
    if (null()) {
      out = if_null;
      return true;
    }
    return integer(out);
  }
  // A JSON number of a usual size (the derived figures, read past), or null.
  bool skip_number_or_null() {
    if (null()) return true;
    const char* const begin = p_;
    if (p_ != end_ && *p_ == '-') ++p_;
    const char* const digits = p_;
    while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    if (p_ == digits || (p_ - digits > 1 && *digits == '0')) return false;
    if (p_ != end_ && *p_ == '.') {
      const char* const fraction = ++p_;
      while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
      if (p_ == fraction) return false;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      const char* const exponent = p_;
      while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
      if (p_ == exponent || p_ - exponent > 2) return false;
    }
    return p_ - begin <= 24;
  }
  bool at_end() const { return p_ == end_; }

 private:
  const char* p_;
  const char* end_;
};

}  // namespace

bool read_written_request_line(std::string_view line, RequestRecord& r, RequestTags& tags) {
  WrittenLine in(line);
  if (!in.literal("{\"type\":\"request\",\"scenario\":")) return false;
  reset(r, tags);
  std::int64_t n = 0;
  std::string_view text;
  if (!in.string(tags.scenario) || !in.key("cell") || !in.string(tags.cell)) return false;
  if (!in.key("trial") || !in.integer(n)) return false;
  tags.trial = static_cast<int>(n);
  if (!in.key("id") || !in.integer(n)) return false;
  r.id = static_cast<std::uint64_t>(n);
  if (!in.key("item") || !in.integer(n)) return false;
  r.item = static_cast<std::uint32_t>(n);
  if (in.literal(",\"warmup\":true"))
    r.warmup = true;
  else if (!in.literal(",\"warmup\":false"))
    return false;
  if (!in.key("intended_send_ns") || !in.integer_or_null(r.intended_send_ns, 0) ||
      !in.key("send_ns") || !in.integer_or_null(r.send_ns, 0) || !in.key("first_token_ns") ||
      !in.integer_or_null(r.first_token_ns, 0) || !in.key("first_content_ns") ||
      !in.integer_or_null(r.first_content_ns, 0) || !in.key("end_ns") ||
      !in.integer_or_null(r.end_ns, 0) || !in.key("requested_input_tokens") ||
      !in.integer_or_null(r.requested_input_tokens, -1) || !in.key("requested_output_tokens") ||
      !in.integer_or_null(r.requested_output_tokens, -1) || !in.key("input_tokens") ||
      !in.integer_or_null(r.input_tokens, -1) || !in.key("output_tokens") ||
      !in.integer_or_null(r.output_tokens, -1) || !in.key("output_tokens_source") ||
      !in.string(text))
    return false;
  r.output_tokens_source = text == "server"        ? TokenCountSource::server
                           : text == "chunk_count" ? TokenCountSource::chunk_count
                                                   : TokenCountSource::none;
  if (!in.key("cached_tokens") || !in.integer_or_null(r.cached_tokens, -1) ||
      !in.key("reasoning_tokens") || !in.integer_or_null(r.reasoning_tokens, -1) ||
      !in.key("output_chars") || !in.integer_or_null(r.output_chars, -1) ||
      !in.key("http_status") || !in.integer(n))
    return false;
  r.http_status = static_cast<int>(n);
  if (!in.key("error")) return false;
  if (!in.null()) {
    if (!in.string(text)) return false;
    const auto kind = parse_error_kind(text);
    if (!kind) return false;  // the parser words the complaint
    r.error = *kind;
  }
  if (!in.key("error_message") || !in.string_or_null(text)) return false;
  r.error_message.assign(text);
  if (!in.key("retry_after_s") || !in.null()) return false;  // a number: the parser reads it
  if (!in.key("bytes_received") || !in.integer(r.bytes_received) || !in.key("retries") ||
      !in.integer(n))
    return false;
  r.retries = static_cast<int>(n);
  if (!in.key("flags")) return false;
  if (in.literal("[\"invalid_utf8\"]"))
    r.flags |= kFlagInvalidUtf8;
  else if (!in.literal("[]"))
    return false;
  if (!in.key("finish_reason") || !in.string_or_null(text)) return false;
  r.finish_reason.assign(text);
  std::string_view gaps;
  if (!in.key("ttft_ms") || !in.skip_number_or_null() || !in.key("tpot_ms") ||
      !in.skip_number_or_null() || !in.key("e2el_ms") || !in.skip_number_or_null() ||
      !in.key("token_events") || !in.integer(n) || !in.key("token_gaps_b64") ||
      !in.string_unchecked(gaps) || !in.literal("}") || !in.at_end())
    return false;
  r.cell.assign(tags.cell);
  r.trial = tags.trial;
  return decode_token_gaps(gaps, r.send_ns, r.token_event_ns);
}

std::string_view flag_name(RecordFlag flag) noexcept {
  for (const auto& [f, name] : kFlags)
    if (f == flag) return name;
  return "unknown";
}

std::optional<RecordFlag> parse_flag(std::string_view name) noexcept {
  for (const auto& [f, n] : kFlags)
    if (n == name) return f;
  return std::nullopt;
}

void append_request_line(std::string& out, const RequestRecord& r, std::string_view scenario) {
  out.append("{\"type\":\"request\",\"scenario\":");
  jt::string(out, scenario, kShortBytes);
  out.append(",\"cell\":");
  jt::string(out, r.cell, kShortBytes);
  field_int(out, "trial", r.trial);
  field_int(out, "id", static_cast<std::int64_t>(r.id));
  field_int(out, "item", r.item);
  out.append(r.warmup ? ",\"warmup\":true" : ",\"warmup\":false");
  field_ns(out, "intended_send_ns", r.intended_send_ns);
  field_ns(out, "send_ns", r.send_ns);
  field_ns(out, "first_token_ns", r.first_token_ns);
  field_ns(out, "first_content_ns", r.first_content_ns);
  field_ns(out, "end_ns", r.end_ns);
  field_count(out, "requested_input_tokens", r.requested_input_tokens);
  field_count(out, "requested_output_tokens", r.requested_output_tokens);
  field_count(out, "input_tokens", r.input_tokens);
  field_count(out, "output_tokens", r.output_tokens);
  out.append(",\"output_tokens_source\":\"")
      .append(source_name(r.output_tokens_source))
      .append("\"");
  field_count(out, "cached_tokens", r.cached_tokens);
  field_count(out, "reasoning_tokens", r.reasoning_tokens);
  field_count(out, "output_chars", r.output_chars);
  field_int(out, "http_status", r.http_status);
  out.append(",\"error\":");
  if (r.ok()) {
    jt::null(out);
  } else {
    out.push_back('"');
    out.append(to_string(r.error));
    out.push_back('"');
  }
  field_string(out, "error_message", r.error_message, kMessageBytes);
  field_number(out, "retry_after_s", r.retry_after_s);
  field_int(out, "bytes_received", r.bytes_received);
  field_int(out, "retries", r.retries);
  out.append(",\"flags\":[");
  bool first = true;
  for (const auto& [flag, name] : kFlags) {
    if ((r.flags & flag) == 0) continue;
    if (!first) out.push_back(',');
    first = false;
    out.push_back('"');
    out.append(name);
    out.push_back('"');
  }
  out.push_back(']');
  field_string(out, "finish_reason", r.finish_reason, kShortBytes);
  const ServerTiming& t = r.server_timing;
  if (t.prompt_ms || t.predicted_ms || t.total_ms || t.load_ms || t.cache_n) {
    out.append(",\"server_timing\":{\"prompt_ms\":");
    jt::number_or_null(out, t.prompt_ms);
    out.append(",\"predicted_ms\":");
    jt::number_or_null(out, t.predicted_ms);
    out.append(",\"total_ms\":");
    jt::number_or_null(out, t.total_ms);
    out.append(",\"load_ms\":");
    jt::number_or_null(out, t.load_ms);
    out.append(",\"cache_n\":");
    jt::integer_or_null(out, t.cache_n.value_or(0), t.cache_n.has_value());
    out.push_back('}');
  }
  // Derived for people reading the file; `analyze` recomputes them from the stamps.
  field_number(out, "ttft_ms", ttft_ms(r));
  field_number(out, "tpot_ms", tpot_ms(r));
  field_number(out, "e2el_ms", e2el_ms(r));
  field_int(out, "token_events", static_cast<std::int64_t>(r.token_event_ns.size()));
  out.append(",\"token_gaps_b64\":\"");
  append_token_gaps(out, r.send_ns, r.token_event_ns);
  out.append("\"}\n");
}

std::string read_request_line(simdjson::dom::element line, RequestRecord& r, RequestTags& tags) {
  simdjson::dom::object o;
  if (line.get_object().get(o) != simdjson::SUCCESS) return "not a JSON object";
  reset(r, tags);

  // One pass over the fields, each key compared once (looking each up by name scans the
  // object every time). The token stamps are decoded after the pass: they need send_ns.
  const auto integer = [](simdjson::dom::element v, std::int64_t fallback) {
    std::int64_t n = 0;
    return v.get_int64().get(n) == simdjson::SUCCESS ? n : fallback;
  };
  const auto text = [](simdjson::dom::element v) {
    std::string_view t;
    return v.get_string().get(t) == simdjson::SUCCESS ? t : std::string_view();
  };
  bool has_id = false;
  std::string_view gaps, error;
  bool has_gaps = false, has_error = false;
  simdjson::dom::array v1_stamps;
  bool has_v1_stamps = false;
  for (const auto field : o) {
    const std::string_view key = field.key;
    const simdjson::dom::element v = field.value;
    switch (key.size()) {
      case 2:
        if (key == "id") {
          const std::int64_t id = integer(v, -1);
          if (id < 0) return "no request 'id'";
          r.id = static_cast<std::uint64_t>(id);
          has_id = true;
        }
        break;
      case 4:
        if (key == "cell")
          tags.cell = text(v);
        else if (key == "item")
          r.item = static_cast<std::uint32_t>(integer(v, 0));
        break;
      case 5:
        if (key == "trial")
          tags.trial = static_cast<int>(integer(v, 0));
        else if (key == "error")
          has_error = v.get_string().get(error) == simdjson::SUCCESS;
        else if (key == "flags") {
          simdjson::dom::array flags;
          if (v.get_array().get(flags) == simdjson::SUCCESS)
            for (auto f : flags) {
              std::string_view name;
              if (f.get_string().get(name) != simdjson::SUCCESS) continue;
              if (const auto flag = parse_flag(name)) r.flags |= *flag;
            }
        }
        break;
      case 6:
        if (key == "end_ns")
          r.end_ns = integer(v, 0);
        else if (key == "warmup") {
          bool warmup = false;
          if (v.get_bool().get(warmup) == simdjson::SUCCESS) r.warmup = warmup;
        }
        break;
      case 7:
        if (key == "send_ns")
          r.send_ns = integer(v, 0);
        else if (key == "retries")
          r.retries = static_cast<int>(integer(v, 0));
        break;
      case 8:
        if (key == "scenario") tags.scenario = text(v);
        break;
      case 11:
        if (key == "http_status") r.http_status = static_cast<int>(integer(v, 0));
        break;
      case 12:
        if (key == "input_tokens")
          r.input_tokens = integer(v, -1);
        else if (key == "output_chars")
          r.output_chars = integer(v, -1);
        break;
      case 13:
        if (key == "output_tokens")
          r.output_tokens = integer(v, -1);
        else if (key == "cached_tokens")
          r.cached_tokens = integer(v, -1);
        else if (key == "error_message")
          r.error_message.assign(text(v));
        else if (key == "retry_after_s") {
          double seconds = 0;
          if (v.get_double().get(seconds) == simdjson::SUCCESS) r.retry_after_s = seconds;
        } else if (key == "finish_reason") {
          r.finish_reason.assign(text(v));
        } else if (key == "server_timing") {
          simdjson::dom::object timing;
          if (v.get_object().get(timing) == simdjson::SUCCESS) {
            r.server_timing.prompt_ms = double_of(timing, "prompt_ms");
            r.server_timing.predicted_ms = double_of(timing, "predicted_ms");
            r.server_timing.total_ms = double_of(timing, "total_ms");
            r.server_timing.load_ms = double_of(timing, "load_ms");
            std::int64_t cache_n = 0;
            if (timing["cache_n"].get_int64().get(cache_n) == simdjson::SUCCESS)
              r.server_timing.cache_n = cache_n;
          }
        }
        break;
      case 14:
        if (key == "first_token_ns")
          r.first_token_ns = integer(v, 0);
        else if (key == "token_gaps_b64")
          has_gaps = v.get_string().get(gaps) == simdjson::SUCCESS;
        else if (key == "token_event_ns")
          has_v1_stamps = v.get_array().get(v1_stamps) == simdjson::SUCCESS;
        else if (key == "bytes_received")
          r.bytes_received = integer(v, 0);
        break;
      case 16:
        if (key == "intended_send_ns")
          r.intended_send_ns = integer(v, 0);
        else if (key == "first_content_ns")
          r.first_content_ns = integer(v, 0);
        else if (key == "reasoning_tokens")
          r.reasoning_tokens = integer(v, -1);
        break;
      case 20:
        if (key == "output_tokens_source") {
          const std::string_view source = text(v);
          r.output_tokens_source = source == "server"        ? TokenCountSource::server
                                   : source == "chunk_count" ? TokenCountSource::chunk_count
                                                             : TokenCountSource::none;
        }
        break;
      case 22:
        if (key == "requested_input_tokens") r.requested_input_tokens = integer(v, -1);
        break;
      case 23:
        if (key == "requested_output_tokens") r.requested_output_tokens = integer(v, -1);
        break;
      default:
        break;
    }
  }
  if (!has_id) return "no request 'id'";
  r.cell.assign(tags.cell);
  r.trial = tags.trial;
  if (has_error) {
    const auto kind = parse_error_kind(error);
    if (!kind) return "unknown error kind '" + std::string(error) + "'";
    r.error = *kind;
  }
  if (has_gaps) {
    if (!decode_token_gaps(gaps, r.send_ns, r.token_event_ns))
      return "'token_gaps_b64' is not a valid encoding";
  } else if (has_v1_stamps) {
    for (auto stamp : v1_stamps) {
      std::int64_t ns = 0;
      if (stamp.get_int64().get(ns) != simdjson::SUCCESS)
        return "'token_event_ns' holds a non-integer";
      r.token_event_ns.push_back(ns);
    }
  }
  return {};
}

}  // namespace servemeter
