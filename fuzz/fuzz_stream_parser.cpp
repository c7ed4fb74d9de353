// Each API's full StreamParser (framer + JSON event reader + stream rules) fed a hostile body,
// in the fuzzer's reads and in one piece: both must end in the same record, and a sane one.
// The same bytes as an error body go through ApiAdapter::record_http_error.
//
// Input: one byte choosing the API (and the error status), then the read cuts (fuzz_reads.h),
// then the body.
#include <array>
#include <cstdint>
#include <memory>
#include <string_view>

#include "fuzz_reads.h"
#include "protocol/api_adapter.h"
#include "record_checks.h"

namespace servemeter::fuzz {
namespace {

constexpr std::array<std::string_view, 5> kApis = {
    "openai-chat", "openai-completions", "ollama-chat", "ollama-generate", "sglang-generate"};
constexpr std::array<int, 8> kErrorStatuses = {400, 404, 413, 429, 500, 503, 301, 199};

const ApiAdapter& adapter_for(std::size_t api) {
  static const auto adapters = [] {
    std::array<std::unique_ptr<ApiAdapter>, kApis.size()> made;
    for (std::size_t i = 0; i < kApis.size(); ++i) {
      made[i] = make_adapter(kApis[i]);
      check(made[i] != nullptr, "make_adapter refused a known API");
    }
    return made;
  }();
  return *adapters[api];
}

// Feeds `reads` to a new parser, read i stamped i + 1, and ends the body one stamp later.
RequestRecord parse(const ApiAdapter& adapter, const std::vector<std::string_view>& reads) {
  RequestRecord record;
  const auto parser = adapter.new_parser();
  for_each_read(reads, [&](std::string_view read, std::size_t i) {
    parser->on_bytes(read, static_cast<std::int64_t>(i) + 1, record);
  });
  parser->on_end(static_cast<std::int64_t>(reads.size()) + 1, record);
  check_finished_record(record, static_cast<std::int64_t>(reads.size()));
  check(record.output_tokens_source != TokenCountSource::none, "no token count after on_end");
  return record;
}

}  // namespace
}  // namespace servemeter::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace servemeter;
  using namespace servemeter::fuzz;
  if (size == 0) return 0;
  const std::size_t api = data[0] % kApis.size();
  const int status = kErrorStatuses[(data[0] / kApis.size()) % kErrorStatuses.size()];
  const Reads input = cut_into_reads({reinterpret_cast<const char*>(data) + 1, size - 1});
  const ApiAdapter& adapter = adapter_for(api);

  const RequestRecord split = parse(adapter, input.reads);
  check(split.bytes_received == static_cast<std::int64_t>(input.stream.size()),
        "bytes_received is not the body's size");
  const RequestRecord whole = parse(adapter, {input.stream});
  check_same_outcome(split, whole);

  RequestRecord error;
  for_each_read({input.stream}, [&](std::string_view body, std::size_t) {
    adapter.record_http_error(status, body, error);
  });
  check(error.error != ErrorKind::none, "record_http_error left no error");
  check(error.http_status == status, "record_http_error did not keep the status");
  check(!error.error_message.empty(), "record_http_error left no message");
  return 0;
}
