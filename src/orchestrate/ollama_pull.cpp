#include "orchestrate/ollama_pull.h"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <ostream>

#include "http/http_get.h"
#include "orchestrate/served_models.h"

namespace servemeter {
namespace {

std::optional<std::int64_t> byte_count(const nlohmann::json& doc, const char* key) {
  const auto it = doc.find(key);
  if (it == doc.end() || !it->is_number()) return std::nullopt;
  return it->get<std::int64_t>();
}

std::string cut(std::string_view text, std::size_t max = 200) {
  return std::string(text.substr(0, max)) + (text.size() > max ? "…" : "");
}

}  // namespace

std::optional<PullEvent> parse_pull_line(std::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
  if (line.empty()) return std::nullopt;
  PullEvent event;
  const auto doc = nlohmann::json::parse(line, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    event.error = "unreadable line from the server: " + cut(line);
    return event;
  }
  if (const auto it = doc.find("error"); it != doc.end())
    event.error = it->is_string() ? it->get<std::string>() : it->dump();
  if (const auto it = doc.find("status"); it != doc.end() && it->is_string())
    event.status = it->get<std::string>();
  if (const auto it = doc.find("digest"); it != doc.end() && it->is_string())
    event.digest = it->get<std::string>();
  event.total = byte_count(doc, "total");
  event.completed = byte_count(doc, "completed");
  return event;
}

std::string byte_size(std::int64_t bytes) {
  const char* units[] = {"B", "kB", "MB", "GB", "TB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1000 && unit < 4) {
    value /= 1000;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, unit == 0 ? "%.0f %s" : "%.1f %s", value, units[unit]);
  return text;
}

std::optional<std::string> PullProgress::on_event(const PullEvent& event) {
  if (!event.error.empty()) return "error: " + event.error;
  const bool new_status = event.status != status_;
  status_ = event.status;
  if (!event.total || *event.total <= 0) {
    shown_decile_ = -1;
    return new_status ? std::optional<std::string>(event.status) : std::nullopt;
  }
  const std::int64_t done = event.completed.value_or(0);
  const int decile = static_cast<int>(done * 10 / *event.total);
  if (!new_status && decile == shown_decile_) return std::nullopt;
  shown_decile_ = decile;
  return event.status + ": " + byte_size(done) + " of " + byte_size(*event.total) + " (" +
         std::to_string(done * 100 / *event.total) + "%)";
}

PullResult ensure_ollama_model(const std::string& base_url, const std::string& model,
                               const PullOptions& options) {
  PullResult result;
  if (const auto served = served_models(base_url, options.api_key, options.tls)) {
    if (model_is_served(model, *served)) {
      result.ok = result.already_present = true;
      return result;
    }
  }
  if (options.progress != nullptr)
    *options.progress << "ollama: pulling " << model << " (first time only)" << std::endl;

  PullProgress progress;
  std::string pending, last_status, stream_error;
  bool success = false;
  auto take_line = [&](std::string_view line) {
    const auto event = parse_pull_line(line);
    if (!event) return;
    if (!event->error.empty()) stream_error = event->error;
    if (!event->status.empty()) last_status = event->status;
    if (event->status == "success") success = true;
    if (options.progress != nullptr)
      if (const auto shown = progress.on_event(*event))
        *options.progress << "ollama: " << *shown << std::endl;
  };
  OneShotRequest request;
  request.url = base_url + "/api/pull";
  request.api_key = options.api_key;
  request.tls = options.tls;
  request.timeout_ms = 0;  // a 13 GB download takes what it takes; stalls are bounded instead
  request.stall_timeout_s = options.stall_timeout_s;
  request.json_body = nlohmann::json{{"model", model}, {"stream", true}}.dump();
  std::string error_body;
  request.on_body_piece = [&](std::string_view piece) {
    if (error_body.size() < 4096) error_body.append(piece.substr(0, 4096 - error_body.size()));
    pending.append(piece);
    for (auto newline = pending.find('\n'); newline != std::string::npos;
         newline = pending.find('\n')) {
      take_line(std::string_view(pending).substr(0, newline));
      pending.erase(0, newline + 1);
    }
    return true;
  };
  request.keep_going = [&] { return options.stop == nullptr || *options.stop == 0; };
  const GetResult got = http_request(request);
  if (!pending.empty()) take_line(pending);

  const std::string what = "ollama could not pull '" + model + "'";
  if (options.stop != nullptr && *options.stop != 0) {
    result.message = "interrupted while pulling '" + model + "'";
  } else if (got.status == 0) {
    result.message = what + ": " + got.error + " (is the server at " + base_url + " still up?)";
  } else if (got.status < 200 || got.status >= 300) {
    result.message = what + ": HTTP " + std::to_string(got.status) + ": " + cut(error_body) +
                     " (check the model name at https://ollama.com/library)";
  } else if (!stream_error.empty()) {
    result.message = what + ": " + stream_error +
                     " (check the model name at https://ollama.com/library, and that the server "
                     "can reach the registry)";
  } else if (!success) {
    result.message = what + ": the answer ended before 'success' (last status: " +
                     (last_status.empty() ? std::string("none") : last_status) +
                     (got.error.empty() ? std::string() : "; " + got.error) +
                     "); try again, or run `ollama pull " + model + "` yourself";
  } else {
    result.ok = true;
  }
  return result;
}

}  // namespace servemeter
