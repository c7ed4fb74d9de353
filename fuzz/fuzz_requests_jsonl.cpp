// The raw-log reader on a hostile requests file, and the digest every output is derived from.
// Reading may skip lines (reported as bad lines) but never crash, throw anything but ReadError,
// or trip a sanitizer; a request line it accepts must survive writing and reading back; the
// digest of the file must build. Schema 1 and 2 lines, and garbage, all come through here.

#include <cstdint>
#include <string>

#include "analysis/log_digest.h"
#include "analysis/results_document.h"
#include "fuzz_reads.h"
#include "results/request_line.h"
#include "results/request_log_reader.h"

namespace servemeter::fuzz {
namespace {

// Every accepted request, written as the writer writes it and read back, must read the same,
// and writing that again must give the same line.
class RoundTrip final : public LogVisitor {
 public:
  void on_request(const RequestRecord& record, const RequestTags& tags) override {
    std::string line;
    append_request_line(line, record, tags.scenario);
    simdjson::padded_string padded(line);
    simdjson::dom::element doc;
    check(parser_.parse(padded).get(doc) == simdjson::SUCCESS, "a written line is not JSON");
    RequestRecord back;
    RequestTags back_tags;
    check(read_request_line(doc, back, back_tags).empty(), "a written line does not read back");
    std::string again;
    append_request_line(again, back, back_tags.scenario);
    check(again == line, "a request line changes on its second write and read-back");
  }

 private:
  simdjson::dom::parser parser_;
};

}  // namespace
}  // namespace servemeter::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace servemeter;
  static fuzz::MemoryFile file("fuzz-requests.jsonl");
  file.write(data, size);
  fuzz::RoundTrip visitor;
  read_request_log(file.path(), visitor);
  const FrameworkLog log = digest_log(file.path());
  results_document(log).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return 0;
}
