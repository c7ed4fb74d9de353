// The five ApiAdapters: each pairs a request builder with a framer and an event reader.
#include <array>
#include <memory>

#include "protocol/api_adapter.h"
#include "protocol/event_readers.h"
#include "protocol/framed_parser.h"
#include "protocol/ndjson_framer.h"
#include "protocol/request_builders.h"
#include "protocol/sse_framer.h"

namespace servemeter {
namespace {

using BuildFn = HttpRequestSpec (*)(const GenerationRequest&);

template <class Framer, class Reader>
class Adapter final : public ApiAdapter {
 public:
  Adapter(std::string_view name, BuildFn build) : name_(name), build_(build) {}
  std::string_view name() const override { return name_; }
  HttpRequestSpec build_request(const GenerationRequest& request) const override {
    return build_(request);
  }
  std::unique_ptr<StreamParser> new_parser() const override {
    return std::make_unique<FramedParser<Framer, Reader>>();
  }

 private:
  std::string_view name_;
  BuildFn build_;
};

constexpr std::string_view kKnownApis =
    "openai-chat, openai-completions, ollama-chat, ollama-generate, sglang-generate";

}  // namespace

std::unique_ptr<ApiAdapter> make_adapter(std::string_view api) {
  if (api == "openai-chat") {
    return std::make_unique<Adapter<SseFramer, OpenAiReader>>("openai-chat", build_openai_chat);
  }
  if (api == "openai-completions") {
    return std::make_unique<Adapter<SseFramer, OpenAiReader>>("openai-completions",
                                                              build_openai_completions);
  }
  if (api == "ollama-chat") {
    return std::make_unique<Adapter<NdjsonFramer, OllamaReader>>("ollama-chat", build_ollama_chat);
  }
  if (api == "ollama-generate") {
    return std::make_unique<Adapter<NdjsonFramer, OllamaReader>>("ollama-generate",
                                                                 build_ollama_generate);
  }
  if (api == "sglang-generate") {
    return std::make_unique<Adapter<SseFramer, SglangGenerateReader>>("sglang-generate",
                                                                      build_sglang_generate);
  }
  return nullptr;
}

std::string_view known_apis() {
  return kKnownApis;
}

}  // namespace servemeter
