// Ollama native NDJSON (/api/chat, /api/generate) and SGLang's native /generate SSE.
#include <string>

#include "sim/emitter.h"

namespace servemeter::sim {
namespace {

// Go's encoding/json with omitempty: one compact object per line; counters only on the done
// line and a zero counter is absent; `thinking` omitted when empty; no line for tokens that
// produce neither content nor thinking.
class OllamaNative final : public StreamEmitter {
 public:
  explicit OllamaNative(const StreamInfo& info) : info_(info), chat_(info.api == Api::ollama_chat) {
    head_ = "{\"model\":" + json_string(info.model) + ",\"created_at\":\"";
  }
  std::string_view content_type() const override { return "application/x-ndjson"; }

  int token(std::string& out, const TokenEvent& ev) override {
    const bool content = ev.kind == TokenKind::content;
    if (!content && ev.kind != TokenKind::reasoning) return 0;
    out += head_;
    out += rfc3339_nano_utc();
    if (chat_) {
      out += content ? "\",\"message\":{\"role\":\"assistant\",\"content\":\""
                     : "\",\"message\":{\"role\":\"assistant\",\"content\":\"\",\"thinking\":\"";
      out += ev.text;
      out += "\"},\"done\":false}\n";
    } else {
      out += content ? "\",\"response\":\"" : "\",\"response\":\"\",\"thinking\":\"";
      out += ev.text;
      out += "\",\"done\":false}\n";
    }
    return 1;
  }

  void finish(std::string& out, const FinishInfo& f) override {
    out += head_;
    out += rfc3339_nano_utc();
    out += chat_ ? "\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true"
                 : "\",\"response\":\"\",\"done\":true";
    out += f.reason == FinishReason::stop ? ",\"done_reason\":\"stop\""
                                          : ",\"done_reason\":\"length\"";
    if (!chat_ && f.context != nullptr) {
      out += ",\"context\":[";
      bool first = true;
      for (std::uint32_t id : *f.context) {
        if (!first) out += ',';
        first = false;
        out += std::to_string(id);
      }
      out += ']';
    }
    auto field = [&](const char* key, std::int64_t v) {
      if (v == 0) return;  // omitempty
      out += ",\"";
      out += key;
      out += "\":";
      out += std::to_string(v);
    };
    field("total_duration", f.total_ns);
    field("load_duration", f.load_ns);
    field("prompt_eval_count", f.prompt_tokens);
    field("prompt_eval_duration", f.prompt_eval_ns);
    field("eval_count", f.completion_tokens);
    field("eval_duration", f.eval_ns);
    out += "}\n";
  }

  void error(std::string& out, std::string_view message) override {
    out += "{\"error\":" + json_string(message) + "}\n";
  }

  void malformed(std::string& out) override { out += head_ + "\n"; }

 private:
  StreamInfo info_;
  bool chat_;
  std::string head_;
};

// SGLang /generate (default, cumulative): `text` and `output_ids` hold everything so far;
// meta_info.completion_tokens counts every token (EOS included); the last event adds
// finish_reason, e2e_latency and response_sent_to_client_ts.
class SglangGenerate final : public StreamEmitter {
 public:
  explicit SglangGenerate(const StreamInfo& info) : info_(info) {
    meta_ = ",\"meta_info\":{\"id\":" + json_string(info.id) + ",\"finish_reason\":";
    prompt_ = ",\"prompt_tokens\":" + std::to_string(info.prompt_tokens) +
              ",\"weight_version\":\"default\",\"total_retractions\":0,\"completion_tokens\":";
  }
  std::string_view content_type() const override { return "text/event-stream; charset=utf-8"; }

  int token(std::string& out, const TokenEvent& ev) override {
    const bool text = ev.kind == TokenKind::content || ev.kind == TokenKind::reasoning;
    if (text) {
      text_ += ev.text;
      if (!ids_.empty()) ids_ += ',';
      ids_ += std::to_string(ev.id);
    }
    if (!text && !ev.last) return 0;
    out += "data: {\"text\":\"";
    out += text_;
    out += "\",\"output_ids\":[";
    out += ids_;
    out += ']';
    out += meta_;
    if (!ev.last) {
      out += "null";
    } else if (ev.reason == FinishReason::stop) {
      out += "{\"type\":\"stop\",\"matched\":";
      out += info_.reasoning ? "200002}" : "128009}";
    } else {
      out += "{\"type\":\"length\",\"length\":" + std::to_string(ev.generated) + "}";
    }
    out += prompt_;
    out += std::to_string(ev.generated);
    out += ",\"cached_tokens\":";
    out += std::to_string(ev.cached_tokens);
    if (ev.last && ev.finish != nullptr) {
      timespec ts{};
      clock_gettime(CLOCK_REALTIME, &ts);
      out += ",\"e2e_latency\":" + json_double(static_cast<double>(ev.finish->total_ns) / 1e9) +
             ",\"response_sent_to_client_ts\":" +
             json_double(static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9);
    }
    out += "}}\n\n";
    return text ? 1 : 0;
  }

  void finish(std::string& out, const FinishInfo&) override { out += "data: [DONE]\n\n"; }

  void error(std::string& out, std::string_view message) override {
    out += "data: {\"error\":{\"message\":" + json_string(message) + "}}\n\n";
    out += "data: [DONE]\n\n";
  }

  void malformed(std::string& out) override { out += "data: {\"text\":\"\n\n"; }

 private:
  StreamInfo info_;
  std::string meta_;
  std::string prompt_;
  std::string text_;
  std::string ids_;
};

}  // namespace

std::unique_ptr<StreamEmitter> make_native_emitter(const StreamInfo& info) {
  if (info.api == Api::sglang_generate) return std::make_unique<SglangGenerate>(info);
  return std::make_unique<OllamaNative>(info);
}

}  // namespace servemeter::sim
