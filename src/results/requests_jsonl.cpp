#include "results/requests_jsonl.h"

#include <stdexcept>

#include "core/metrics.h"

namespace servemeter {
namespace {

using nlohmann::json;

json ns_or_null(std::int64_t ns) {
  return ns == 0 ? json(nullptr) : json(ns);
}
json count_or_null(std::int64_t n) {
  return n < 0 ? json(nullptr) : json(n);
}
json ms_or_null(const std::optional<double>& v) {
  return v ? json(*v) : json(nullptr);
}

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

std::int64_t ns_from(const json& line, const char* key) {
  const auto it = line.find(key);
  return it == line.end() || it->is_null() ? 0 : it->get<std::int64_t>();
}
std::int64_t count_from(const json& line, const char* key) {
  const auto it = line.find(key);
  return it == line.end() || it->is_null() ? -1 : it->get<std::int64_t>();
}
std::optional<double> optional_from(const json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::nullopt;
  return it->get<double>();
}

}  // namespace

json request_json(const RequestRecord& r, const std::string& scenario) {
  json line;
  line["schema"] = kRequestSchema;
  line["id"] = r.id;
  line["scenario"] = scenario;
  line["cell"] = r.cell;
  line["trial"] = r.trial;
  line["warmup"] = r.warmup;
  line["intended_send_ns"] = ns_or_null(r.intended_send_ns);
  line["send_ns"] = ns_or_null(r.send_ns);
  line["first_token_ns"] = ns_or_null(r.first_token_ns);
  line["first_content_ns"] = ns_or_null(r.first_content_ns);
  line["end_ns"] = ns_or_null(r.end_ns);
  line["token_event_ns"] = r.token_event_ns;
  line["requested_input_tokens"] = count_or_null(r.requested_input_tokens);
  line["requested_output_tokens"] = count_or_null(r.requested_output_tokens);
  line["input_tokens"] = count_or_null(r.input_tokens);
  line["output_tokens"] = count_or_null(r.output_tokens);
  line["output_tokens_source"] = source_name(r.output_tokens_source);
  line["cached_tokens"] = count_or_null(r.cached_tokens);
  line["reasoning_tokens"] = count_or_null(r.reasoning_tokens);
  line["http_status"] = r.http_status;
  line["error"] = r.ok() ? json(nullptr) : json(to_string(r.error));
  line["error_message"] = r.error_message.empty() ? json(nullptr) : json(r.error_message);
  line["bytes_received"] = r.bytes_received;
  line["retries"] = r.retries;
  line["finish_reason"] = r.finish_reason.empty() ? json(nullptr) : json(r.finish_reason);
  const auto& t = r.server_timing;
  line["server_timing"] = {{"prompt_ms", ms_or_null(t.prompt_ms)},
                           {"predicted_ms", ms_or_null(t.predicted_ms)},
                           {"total_ms", ms_or_null(t.total_ms)},
                           {"load_ms", ms_or_null(t.load_ms)},
                           {"cache_n", t.cache_n ? json(*t.cache_n) : json(nullptr)}};
  // Derived for convenience; analysis recomputes them from the raw times above.
  line["ttft_ms"] = ms_or_null(ttft_ms(r));
  line["tpot_ms"] = ms_or_null(tpot_ms(r));
  line["e2el_ms"] = ms_or_null(e2el_ms(r));
  return line;
}

RequestRecord parse_request_json(const json& line) {
  if (line.value("schema", "") != kRequestSchema)
    throw std::runtime_error("not a " + std::string(kRequestSchema) + " line (schema is " +
                             line.value("schema", std::string("missing")) + ")");
  RequestRecord r;
  r.id = line.at("id").get<std::uint64_t>();
  r.cell = line.value("cell", "");
  r.trial = line.value("trial", 0);
  r.warmup = line.value("warmup", false);
  r.intended_send_ns = ns_from(line, "intended_send_ns");
  r.send_ns = ns_from(line, "send_ns");
  r.first_token_ns = ns_from(line, "first_token_ns");
  r.first_content_ns = ns_from(line, "first_content_ns");
  r.end_ns = ns_from(line, "end_ns");
  r.token_event_ns = line.value("token_event_ns", std::vector<std::int64_t>{});
  r.requested_input_tokens = count_from(line, "requested_input_tokens");
  r.requested_output_tokens = count_from(line, "requested_output_tokens");
  r.input_tokens = count_from(line, "input_tokens");
  r.output_tokens = count_from(line, "output_tokens");
  const std::string source = line.value("output_tokens_source", "none");
  r.output_tokens_source = source == "server"        ? TokenCountSource::server
                           : source == "chunk_count" ? TokenCountSource::chunk_count
                                                     : TokenCountSource::none;
  r.cached_tokens = count_from(line, "cached_tokens");
  r.reasoning_tokens = count_from(line, "reasoning_tokens");
  r.http_status = line.value("http_status", 0);
  if (const auto it = line.find("error"); it != line.end() && !it->is_null()) {
    const auto kind = parse_error_kind(it->get<std::string>());
    if (!kind) throw std::runtime_error("unknown error kind '" + it->get<std::string>() + "'");
    r.error = *kind;
  }
  if (const auto it = line.find("error_message"); it != line.end() && !it->is_null())
    r.error_message = it->get<std::string>();
  r.bytes_received = line.value("bytes_received", std::int64_t{0});
  r.retries = line.value("retries", 0);
  if (const auto it = line.find("finish_reason"); it != line.end() && !it->is_null())
    r.finish_reason = it->get<std::string>();
  if (const auto it = line.find("server_timing"); it != line.end() && it->is_object()) {
    r.server_timing.prompt_ms = optional_from(*it, "prompt_ms");
    r.server_timing.predicted_ms = optional_from(*it, "predicted_ms");
    r.server_timing.total_ms = optional_from(*it, "total_ms");
    r.server_timing.load_ms = optional_from(*it, "load_ms");
    if (const auto n = optional_from(*it, "cache_n"))
      r.server_timing.cache_n = static_cast<std::int64_t>(*n);
  }
  return r;
}

}  // namespace servemeter
