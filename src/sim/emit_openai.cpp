// vLLM 0.15 and SGLang 0.5 OpenAI-compatible streams (chat and completions).
#include <string>

#include "sim/emitter.h"

namespace servemeter::sim {
namespace {

constexpr std::string_view kDone = "data: [DONE]\n\n";

std::string usage_vllm(const FinishInfo& f) {
  return "{\"prompt_tokens\":" + std::to_string(f.prompt_tokens) +
         ",\"total_tokens\":" + std::to_string(f.prompt_tokens + f.completion_tokens) +
         ",\"completion_tokens\":" + std::to_string(f.completion_tokens) + "}";
}

// vLLM's tail of a stream, chat and completions alike: the `choices:[]` usage chunk (when asked
// for), then [DONE]; and its in-stream error event (json.dumps spacing) then [DONE].
void vllm_finish(std::string& out, const StreamInfo& info, std::string_view object,
                 const FinishInfo& f) {
  if (info.include_usage) {
    out += "data: {\"id\":" + json_string(info.id) + ",\"object\":\"";
    out += object;
    out += "\",\"created\":" + std::to_string(info.created) +
           ",\"model\":" + json_string(info.model) + ",\"choices\":[],\"usage\":" + usage_vllm(f) +
           "}\n\n";
  }
  out += kDone;
}

void vllm_error(std::string& out, std::string_view message) {
  out += "data: {\"error\": {\"message\": " + json_string(message) +
         ", \"type\": \"BadRequestError\", \"param\": null, \"code\": 400}}\n\n";
  out += kDone;
}

// vLLM chat: exclude_unset, so nulls appear exactly where pydantic "set" them; `created` is
// taken once per request. Role chunk with the first output; EOS yields {"content":""} with
// finish_reason; a length cut puts finish_reason on the last text chunk.
class VllmChat final : public StreamEmitter {
 public:
  explicit VllmChat(const StreamInfo& info) : info_(info) {
    head_ = "data: {\"id\":" + json_string(info.id) +
            ",\"object\":\"chat.completion.chunk\",\"created\":" + std::to_string(info.created) +
            ",\"model\":" + json_string(info.model) + ",\"choices\":[{\"index\":0,\"delta\":{";
    content_head_ = head_ + "\"content\":\"";
  }
  std::string_view content_type() const override { return "text/event-stream; charset=utf-8"; }

  int token(std::string& out, const TokenEvent& ev) override {
    if (ev.generated == 1) {
      out += head_;
      out += R"("role":"assistant","content":"","reasoning_content":null},"logprobs":null,)"
             R"("finish_reason":null}],"prompt_token_ids":null})"
             "\n\n";
    }
    const bool cut = ev.last && ev.reason == FinishReason::length;
    int tokens = 0;
    switch (ev.kind) {
      case TokenKind::content:
        out += content_head_;
        out += ev.text;
        if (!cut) {  // the bulk of every stream: one prefix, the text, one suffix
          out += kContentTail;
          return 1;
        }
        out += "\",\"reasoning_content\":null";
        tokens = 1;
        break;
      case TokenKind::reasoning:
        out += head_;
        out += "\"reasoning\":\"";
        out += ev.text;
        out += "\",\"reasoning_content\":\"";
        out += ev.text;
        out += '"';
        tokens = 1;
        break;
      case TokenKind::final_opens:
        out += head_;
        out += "\"content\":\"\",\"reasoning_content\":null";
        break;
      case TokenKind::control:
        if (!cut) return 0;
        out += head_;
        out += "\"reasoning_content\":null";
        break;
      case TokenKind::eos:
        out += head_;
        out += info_.reasoning ? "\"reasoning_content\":null"
                               : "\"content\":\"\",\"reasoning_content\":null";
        out += R"(},"logprobs":null,"finish_reason":"stop","stop_reason":null,"token_ids":null}]})"
               "\n\n";
        return 0;
    }
    out +=
        cut ? R"(},"logprobs":null,"finish_reason":"length","stop_reason":null,"token_ids":null}]})"
            : R"(},"logprobs":null,"finish_reason":null,"token_ids":null}]})";
    out += "\n\n";
    return tokens;
  }

  void finish(std::string& out, const FinishInfo& f) override {
    vllm_finish(out, info_, "chat.completion.chunk", f);
  }

  void error(std::string& out, std::string_view message) override { vllm_error(out, message); }

  void malformed(std::string& out) override {
    out += head_;
    out += "\"content\":\"\n\n";  // unterminated string and object
  }

 private:
  static constexpr std::string_view kContentTail =
      "\",\"reasoning_content\":null},\"logprobs\":null,\"finish_reason\":null,"
      "\"token_ids\":null}]}\n\n";
  StreamInfo info_;
  std::string head_;
  std::string content_head_;  // head_ + "content":"
};

// vLLM completions: exclude_unset=False, so every chunk carries every field.
class VllmCompletions final : public StreamEmitter {
 public:
  explicit VllmCompletions(const StreamInfo& info) : info_(info) {
    head_ = "data: {\"id\":" + json_string(info.id) +
            ",\"object\":\"text_completion\",\"created\":" + std::to_string(info.created) +
            ",\"model\":" + json_string(info.model) + ",\"choices\":[{\"index\":0,\"text\":\"";
  }
  std::string_view content_type() const override { return "text/event-stream; charset=utf-8"; }

  int token(std::string& out, const TokenEvent& ev) override {
    const bool text = ev.kind == TokenKind::content || ev.kind == TokenKind::reasoning;
    if (!text && !ev.last) return 0;
    out += head_;
    if (text) out += ev.text;
    out += "\",\"logprobs\":null,\"finish_reason\":";
    out += !ev.last ? "null" : ev.reason == FinishReason::stop ? "\"stop\"" : "\"length\"";
    out += R"(,"stop_reason":null,"prompt_token_ids":null,"token_ids":null}],"usage":null})"
           "\n\n";
    return text ? 1 : 0;
  }

  void finish(std::string& out, const FinishInfo& f) override {
    vllm_finish(out, info_, "text_completion", f);
  }

  void error(std::string& out, std::string_view message) override { vllm_error(out, message); }

  void malformed(std::string& out) override { out += head_ + "\n\n"; }

 private:
  StreamInfo info_;
  std::string head_;
};

// SGLang: full model_dump_json (every delta key, nulls included), `created` re-read per chunk,
// a separate all-null finish chunk with matched_stop, and usage with prompt_tokens_details and
// reasoning_tokens.
class SglangOpenAi final : public StreamEmitter {
 public:
  explicit SglangOpenAi(const StreamInfo& info) : info_(info) {}
  std::string_view content_type() const override { return "text/event-stream; charset=utf-8"; }

  int token(std::string& out, const TokenEvent& ev) override {
    const bool chat = info_.api == Api::openai_chat;
    if (chat && ev.generated == 1) {
      head(out);
      out += R"("role":"assistant","content":"","reasoning_content":null,"tool_calls":null)";
      tail(out, "null", "null");
    }
    int tokens = 0;
    if (ev.kind == TokenKind::content || (!chat && ev.kind == TokenKind::reasoning)) {
      head(out);
      out += chat ? "\"role\":null,\"content\":\"" : "";
      out += ev.text;
      out += chat ? "\",\"reasoning_content\":null,\"tool_calls\":null" : "\"";
      tail(out, "null", "null");
      tokens = 1;
    } else if (ev.kind == TokenKind::reasoning) {
      head(out);
      out += "\"role\":null,\"content\":null,\"reasoning_content\":\"";
      out += ev.text;
      out += "\",\"tool_calls\":null";
      tail(out, "null", "null");
      tokens = 1;
    }
    if (ev.last) {
      head(out);
      out +=
          chat ? R"("role":null,"content":null,"reasoning_content":null,"tool_calls":null)" : "\"";
      const bool stop = ev.reason == FinishReason::stop;
      tail(out, stop ? "\"stop\"" : "\"length\"",
           !stop             ? "null"
           : info_.reasoning ? "200002"
                             : "128009");
    }
    return tokens;
  }

  void finish(std::string& out, const FinishInfo& f) override {
    if (info_.include_usage) {
      out += "data: {\"id\":" + json_string(info_.id) + ",\"object\":" +
             (info_.api == Api::openai_chat ? "\"chat.completion.chunk\"" : "\"text_completion\"") +
             ",\"created\":" + std::to_string(unix_seconds()) +
             ",\"model\":" + json_string(info_.model) +
             ",\"choices\":[],\"usage\":{\"prompt_tokens\":" + std::to_string(f.prompt_tokens) +
             ",\"total_tokens\":" + std::to_string(f.prompt_tokens + f.completion_tokens) +
             ",\"completion_tokens\":" + std::to_string(f.completion_tokens) +
             ",\"prompt_tokens_details\":null,\"reasoning_tokens\":" +
             std::to_string(f.reasoning_tokens) + "}}\n\n";
    }
    out += kDone;
  }

  void error(std::string& out, std::string_view message) override {
    out += "data: {\"error\": {\"object\": \"error\", \"message\": " + json_string(message) +
           ", \"type\": \"BadRequestError\", \"param\": null, \"code\": 400}}\n\n";
    out += kDone;
  }

  void malformed(std::string& out) override {
    head(out);
    out += "\n\n";
  }

 private:
  void head(std::string& out) {
    const std::int64_t now = unix_seconds();
    if (now != head_second_) {  // rebuilt at most once a second
      head_second_ = now;
      const bool chat = info_.api == Api::openai_chat;
      head_ = "data: {\"id\":" + json_string(info_.id) +
              ",\"object\":" + (chat ? "\"chat.completion.chunk\"" : "\"text_completion\"") +
              ",\"created\":" + std::to_string(now) + ",\"model\":" + json_string(info_.model) +
              (chat ? ",\"choices\":[{\"index\":0,\"delta\":{"
                    : ",\"choices\":[{\"index\":0,\"text\":\"");
    }
    out += head_;
  }
  void tail(std::string& out, std::string_view finish, std::string_view matched) {
    out += info_.api == Api::openai_chat ? "},\"logprobs\":null,\"finish_reason\":"
                                         : ",\"logprobs\":null,\"finish_reason\":";
    out += finish;
    out += ",\"matched_stop\":";
    out += matched;
    out += "}],\"usage\":null}\n\n";
  }

  StreamInfo info_;
  std::string head_;
  std::int64_t head_second_ = -1;
};

}  // namespace

std::unique_ptr<StreamEmitter> make_openai_emitter(const StreamInfo& info) {
  if (info.dialect == Dialect::sglang) return std::make_unique<SglangOpenAi>(info);
  if (info.api == Api::openai_completions) return std::make_unique<VllmCompletions>(info);
  return std::make_unique<VllmChat>(info);
}

}  // namespace servemeter::sim
