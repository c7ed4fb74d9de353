// Ollama's OpenAI layer (/v1) and llama.cpp's llama-server OpenAI streams.
#include <string>

#include "sim/emitter.h"

namespace servemeter::sim {
namespace {

constexpr std::string_view kDone = "data: [DONE]\n\n";

const char* reason_str(FinishReason r) {
  return r == FinishReason::stop ? "stop" : "length";
}

// Ollama /v1: key order id,object,created,model,system_fingerprint,choices (chat) and
// id,object,created,choices,model,system_fingerprint[,usage] (completions); every delta repeats
// role and content; reasoning in `reasoning`; no role chunk; a separate final chunk.
class OllamaV1 final : public StreamEmitter {
 public:
  explicit OllamaV1(const StreamInfo& info)
      : info_(info), chat_(info.api == Api::openai_chat), model_(json_string(info.model)) {}
  std::string_view content_type() const override { return "text/event-stream"; }

  int token(std::string& out, const TokenEvent& ev) override {
    if (ev.kind == TokenKind::content) {
      if (chat_) {
        head(out);
        out += "\"role\":\"assistant\",\"content\":\"";
        out += ev.text;
        out += '"';
        tail(out, "null");
      } else {
        head(out);
        out += ev.text;
        tail(out, "null");
      }
      return 1;
    }
    if (ev.kind == TokenKind::reasoning && chat_) {
      head(out);
      out += "\"role\":\"assistant\",\"content\":\"\",\"reasoning\":\"";
      out += ev.text;
      out += '"';
      tail(out, "null");
      return 1;
    }
    return 0;
  }

  void finish(std::string& out, const FinishInfo& f) override {
    head(out);
    if (chat_) out += "\"role\":\"assistant\",\"content\":\"\"";
    const std::string reason = std::string("\"") + reason_str(f.reason) + "\"";
    tail(out, reason);
    if (info_.include_usage) {
      const std::string usage =
          "{\"prompt_tokens\":" + std::to_string(f.prompt_tokens) +
          ",\"completion_tokens\":" + std::to_string(f.completion_tokens) +
          ",\"total_tokens\":" + std::to_string(f.prompt_tokens + f.completion_tokens) + "}";
      if (chat_) {
        out +=
            "data: {\"id\":" + json_string(info_.id) +
            ",\"object\":\"chat.completion.chunk\",\"created\":" + std::to_string(unix_seconds()) +
            ",\"model\":" + model_ +
            ",\"system_fingerprint\":\"fp_ollama\",\"choices\":[],\"usage\":" + usage + "}\n\n";
      } else {
        out += "data: {\"id\":" + json_string(info_.id) +
               ",\"object\":\"text_completion\",\"created\":" + std::to_string(unix_seconds()) +
               ",\"choices\":[],\"model\":" + model_ +
               ",\"system_fingerprint\":\"fp_ollama\",\"usage\":" + usage + "}\n\n";
      }
    }
    out += kDone;
  }

  void error(std::string& out, std::string_view message) override {
    out += "data: {\"error\":{\"message\":" + json_string(message) +
           ",\"type\":\"api_error\",\"param\":null,\"code\":null}}\n\n";
  }

  void malformed(std::string& out) override {
    head(out);
    out += "\n\n";
  }

 private:
  void head(std::string& out) {
    const std::int64_t now = unix_seconds();
    if (now != second_) {
      second_ = now;
      head_ = "data: {\"id\":" + json_string(info_.id) +
              ",\"object\":" + (chat_ ? "\"chat.completion.chunk\"" : "\"text_completion\"") +
              ",\"created\":" + std::to_string(now) +
              (chat_ ? ",\"model\":" + model_ +
                           ",\"system_fingerprint\":\"fp_ollama\",\"choices\":[{\"index\":0,"
                           "\"delta\":{"
                     : std::string(",\"choices\":[{\"text\":\""));
    }
    out += head_;
  }
  void tail(std::string& out, std::string_view finish) {
    if (chat_) {
      out += "},\"finish_reason\":";
      out += finish;
      out += "}]}\n\n";
      return;
    }
    out += "\",\"index\":0,\"finish_reason\":";
    out += finish;
    out += "}],\"model\":" + model_ + ",\"system_fingerprint\":\"fp_ollama\"";
    // Ollama's quirk: with include_usage every completions chunk carries an all-zero usage.
    if (info_.include_usage) {
      out += ",\"usage\":{\"prompt_tokens\":0,\"completion_tokens\":0,\"total_tokens\":0}";
    }
    out += "}\n\n";
  }

  StreamInfo info_;
  bool chat_;
  std::string model_;
  std::string head_;
  std::int64_t second_ = -1;
};

// llama.cpp: choices first, then created,id,model,system_fingerprint,object; a role-only first
// event; finish chunk with an empty delta; `timings` on the usage chunk (or on the finish chunk
// when usage was not asked for); completions always put usage and timings in the final chunk.
class LlamaCpp final : public StreamEmitter {
 public:
  explicit LlamaCpp(const StreamInfo& info) : info_(info), chat_(info.api == Api::openai_chat) {
    const std::string created = std::to_string(info.created);
    if (chat_) {
      tail_ = "}}],\"created\":" + created + ",\"id\":" + json_string(info.id) +
              ",\"model\":" + json_string(info.model) +
              ",\"system_fingerprint\":\"b0-unknown\",\"object\":\"chat.completion.chunk\"";
    } else {
      tail_ = "\",\"index\":0,\"logprobs\":null,\"finish_reason\":null}],\"created\":" + created +
              ",\"model\":" + json_string(info.model) +
              ",\"system_fingerprint\":\"b0-unknown\",\"object\":\"text_completion\",\"id\":" +
              json_string(info.id) + "}\n\n";
    }
  }
  std::string_view content_type() const override { return "text/event-stream"; }

  int token(std::string& out, const TokenEvent& ev) override {
    if (chat_ && ev.generated == 1) {
      out +=
          "data: {\"choices\":[{\"finish_reason\":null,\"index\":0,\"delta\":{\"role\":"
          "\"assistant\",\"content\":null";
      out += tail_;
      out += "}\n\n";
    }
    const bool text = ev.kind == TokenKind::content || ev.kind == TokenKind::reasoning;
    if (!text) return 0;
    if (!chat_) {
      out += "data: {\"choices\":[{\"text\":\"";
      out += ev.text;
      out += tail_;
      return 1;
    }
    out += "data: {\"choices\":[{\"finish_reason\":null,\"index\":0,\"delta\":{";
    out += ev.kind == TokenKind::content ? "\"content\":\"" : "\"reasoning_content\":\"";
    out += ev.text;
    out += '"';
    out += tail_;
    out += "}\n\n";
    return 1;
  }

  void finish(std::string& out, const FinishInfo& f) override {
    const std::string reason = reason_str(f.reason);
    const std::string usage =
        "{\"completion_tokens\":" + std::to_string(f.completion_tokens) +
        ",\"prompt_tokens\":" + std::to_string(f.prompt_tokens) +
        ",\"total_tokens\":" + std::to_string(f.prompt_tokens + f.completion_tokens) +
        ",\"prompt_tokens_details\":{\"cached_tokens\":" + std::to_string(f.cached_tokens) + "}}";
    if (!chat_) {
      out +=
          "data: {\"choices\":[{\"text\":\"\",\"index\":0,\"logprobs\":null,\"finish_reason\":\"" +
          reason + "\"}],\"created\":" + std::to_string(info_.created) +
          ",\"model\":" + json_string(info_.model) +
          ",\"system_fingerprint\":\"b0-unknown\",\"object\":\"text_completion\",\"usage\":" +
          usage + ",\"id\":" + json_string(info_.id) + ",\"timings\":" + timings(f) + "}\n\n";
      out += kDone;
      return;
    }
    out += "data: {\"choices\":[{\"finish_reason\":\"" + reason + "\",\"index\":0,\"delta\":{";
    out += tail_;
    if (!info_.include_usage) out += ",\"timings\":" + timings(f);
    out += "}\n\n";
    if (info_.include_usage) {
      out += "data: {\"choices\":[],\"created\":" + std::to_string(info_.created) +
             ",\"id\":" + json_string(info_.id) + ",\"model\":" + json_string(info_.model) +
             ",\"system_fingerprint\":\"b0-unknown\",\"object\":\"chat.completion.chunk\","
             "\"usage\":" +
             usage + ",\"timings\":" + timings(f) + "}\n\n";
    }
    out += kDone;
  }

  void error(std::string& out, std::string_view message) override {
    out += "data: {\"error\":{\"code\":500,\"message\":" + json_string(message) +
           ",\"type\":\"server_error\"}}\n\n";
  }

  void malformed(std::string& out) override { out += "data: {\"choices\":[{\"text\":\n\n"; }

 private:
  static std::string timings(const FinishInfo& f) {
    const int prompt_n = f.prompt_tokens - f.cached_tokens;
    const double prompt_ms = static_cast<double>(f.prompt_eval_ns) / 1e6;
    const double predicted_ms = static_cast<double>(f.eval_ns) / 1e6;
    const int predicted_n = f.completion_tokens;
    auto per_token = [](double ms, int n) { return n > 0 ? ms / n : 0.0; };
    auto per_second = [](double ms, int n) { return ms > 0 ? 1e3 * n / ms : 0.0; };
    return "{\"cache_n\":" + std::to_string(f.cached_tokens) +
           ",\"prompt_n\":" + std::to_string(prompt_n) +
           ",\"prompt_ms\":" + json_double(prompt_ms) +
           ",\"prompt_per_token_ms\":" + json_double(per_token(prompt_ms, prompt_n)) +
           ",\"prompt_per_second\":" + json_double(per_second(prompt_ms, prompt_n)) +
           ",\"predicted_n\":" + std::to_string(predicted_n) +
           ",\"predicted_ms\":" + json_double(predicted_ms) +
           ",\"predicted_per_token_ms\":" + json_double(per_token(predicted_ms, predicted_n - 1)) +
           ",\"predicted_per_second\":" + json_double(per_second(predicted_ms, predicted_n)) + "}";
  }

  StreamInfo info_;
  bool chat_;
  std::string tail_;
};

}  // namespace

std::unique_ptr<StreamEmitter> make_compat_emitter(const StreamInfo& info) {
  if (info.dialect == Dialect::ollama) return std::make_unique<OllamaV1>(info);
  return std::make_unique<LlamaCpp>(info);
}

}  // namespace servemeter::sim
