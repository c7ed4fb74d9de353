// The plain-HTTP client's answer path: Boost.Beast's response parser (ResponseParser, fed read by
// read through parse_read with the unparsed tail carried over, as PlainTransfer::receive does),
// the Answer that routes the body, and the API's StreamParser or error reader behind it. The
// connection closes after the last byte. Cut into the fuzzer's reads or in one piece, the answer
// must end the same way and leave a sane record.
//
// Input: one byte choosing the API, then the read cuts (fuzz_reads.h), then the response bytes.
#include <array>
#include <boost/beast/core/error.hpp>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "fuzz_reads.h"
#include "http/answer.h"
#include "http/plain_transfer.h"
#include "protocol/api_adapter.h"
#include "record_checks.h"

namespace servemeter::fuzz {
namespace {

constexpr std::array<std::string_view, 5> kApis = {
    "openai-chat", "openai-completions", "ollama-chat", "ollama-generate", "sglang-generate"};
constexpr std::string_view kUrl = "http://fuzz.invalid:8000/v1/chat/completions";

const ApiAdapter& adapter_for(std::size_t api) {
  static const auto adapters = [] {
    std::array<std::unique_ptr<ApiAdapter>, kApis.size()> made;
    for (std::size_t i = 0; i < kApis.size(); ++i) made[i] = make_adapter(kApis[i]);
    return made;
  }();
  return *adapters[api];
}

// PlainTransfer's part of the answer path: what the parser reads goes to the Answer.
class AnswerEvents final : public http::ResponseEvents {
 public:
  AnswerEvents(http::Answer& answer, const std::int64_t& arrival_ns)
      : answer_(answer), arrival_ns_(arrival_ns) {}
  void on_status(int code) override { status_ = code; }
  void on_content_type(std::string_view type) override { type_.assign(type); }
  void on_content_encoding(std::string_view encoding) override { encoding_.assign(encoding); }
  void on_retry_after(std::string_view value) override { answer_.on_retry_after(value); }
  void on_head_done() override { answer_.on_head(status_, type_, encoding_); }
  bool on_body(std::string_view bytes) override {
    if (answer_.on_body(bytes, arrival_ns_)) return true;
    abandoned = true;
    return false;
  }
  bool abandoned = false;

 private:
  http::Answer& answer_;
  const std::int64_t& arrival_ns_;
  int status_ = 0;
  std::string type_, encoding_;
};

struct Outcome {
  RequestRecord record;
  http::Ending ending = http::Ending::complete;
  std::string detail;
};

// PlainTransfer's receive loop without the socket: read i is stamped i + 1.
Outcome answer(const ApiAdapter& adapter, const std::vector<std::string_view>& reads) {
  Outcome out;
  const auto stream_parser = adapter.new_parser();
  static const http::ClientOptions options;
  http::Answer answer;
  answer.configure(options);
  answer.reset(kUrl, stream_parser.get(), &adapter, &out.record);
  std::int64_t arrival_ns = 0;
  AnswerEvents events(answer, arrival_ns);
  http::ResponseParser parser(events);
  std::string carry;
  bool ended = false;
  for (std::size_t i = 0; i < reads.size() && !ended; ++i) {
    arrival_ns = static_cast<std::int64_t>(i) + 1;
    // The carried tail and the new read, in one block of exactly their size.
    const std::size_t size = carry.size() + reads[i].size();
    const auto block = std::make_unique<char[]>(size);
    if (!carry.empty()) std::memcpy(block.get(), carry.data(), carry.size());
    if (!reads[i].empty())
      std::memcpy(block.get() + carry.size(), reads[i].data(), reads[i].size());
    std::size_t used = 0;
    boost::beast::error_code ec;
    switch (http::parse_read(parser, block.get(), size, used, ec)) {
      case http::ParseProgress::failed:
        if (events.abandoned) {
          out.ending = http::Ending::abandoned;
          out.detail = "stopped reading";
        } else {
          out.ending = http::Ending::transport_error;
          out.detail = "malformed HTTP response: " + ec.message();
        }
        ended = true;
        break;
      case http::ParseProgress::done:
        out.ending = http::Ending::complete;
        ended = true;
        break;
      case http::ParseProgress::need_more:
        check(used <= size, "parse_read used more than it was given");
        carry.assign(block.get() + used, size - used);
        break;
    }
  }
  if (!ended) {  // the server closed the connection (PlainTransfer::on_closed_by_peer)
    if (parser.is_header_done() && parser.need_eof()) {
      boost::beast::error_code ec;
      parser.put_eof(ec);
      out.ending = ec ? http::Ending::transport_error : http::Ending::complete;
      out.detail = ec ? ec.message() : "";
    } else {
      out.ending = http::Ending::transport_error;
      out.detail = "connection closed by the server";
    }
  }
  const auto last_stamp = static_cast<std::int64_t>(reads.size());
  answer.finish(out.ending, out.detail, last_stamp + 1);
  check_finished_record(out.record, last_stamp);
  check(answer.head_seen() == parser.is_header_done(), "Answer and parser disagree on the head");
  if (answer.head_seen()) {
    check(out.record.http_status == answer.status(), "http_status is not the answer's status");
  }
  return out;
}

}  // namespace
}  // namespace servemeter::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace servemeter;
  using namespace servemeter::fuzz;
  if (size == 0) return 0;
  const ApiAdapter& adapter = adapter_for(data[0] % kApis.size());
  const Reads input = cut_into_reads({reinterpret_cast<const char*>(data) + 1, size - 1});

  const Outcome split = answer(adapter, input.reads);
  check(split.record.bytes_received <= static_cast<std::int64_t>(input.stream.size()),
        "more body bytes than the response had");
  const Outcome whole = answer(adapter, {input.stream});
  // Beast looks for the end of a header that came in pieces before parsing it, but parses one
  // that came whole at once: a malformed header fails as "bad field" in one read and as a
  // connection closed before the header ended when cut. Only the transport's words differ.
  const bool transport_failed = split.ending == http::Ending::transport_error &&
                                whole.ending == http::Ending::transport_error;
  if (split.ending != whole.ending || (!transport_failed && split.detail != whole.detail)) {
    std::fprintf(stderr, "cut into reads: ending %d '%s'\nin one read: ending %d '%s'\n",
                 static_cast<int>(split.ending), split.detail.c_str(),
                 static_cast<int>(whole.ending), whole.detail.c_str());
    fail("the answer ends differently depending on where the reads were cut");
  }
  check_same_outcome(split.record, whole.record, /*with_message=*/!transport_failed);
  return 0;
}
