// The raw log: request lines round-trip every field, the writer appends whole lines under a lock
// and repairs a crash's unfinished line, and the reader takes both schemas and skips bad lines.
#include "results/request_log.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>

#include "results/atomic_file.h"
#include "results/request_line.h"
#include "results/request_log_reader.h"
#include "support/temp_dir.h"

namespace servemeter {
namespace {

RequestRecord sample() {
  RequestRecord r;
  r.id = 7;
  r.item = 3;
  r.cell = "in=8,out=4";
  r.trial = 1;
  r.send_ns = r.intended_send_ns = 1'000'000;
  r.first_token_ns = 3'000'000;
  r.first_content_ns = 4'000'000;
  r.token_event_ns = {3'000'000, 4'000'000, 5'000'000};
  r.end_ns = 6'000'000;
  r.input_tokens = 9;
  r.output_tokens = 4;
  r.output_chars = 17;
  r.output_tokens_source = TokenCountSource::server;
  r.http_status = 200;
  r.finish_reason = "length";
  r.flags = kFlagInvalidUtf8;
  r.server_timing.prompt_ms = 1.5;
  r.server_timing.cache_n = 3;
  return r;
}

std::vector<std::string> lines_of(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

struct Collect : LogVisitor {
  std::vector<RunInfo> runs;
  std::vector<CellInfo> cells;
  std::vector<RequestRecord> requests;
  std::vector<std::string> scenarios;
  std::vector<TrialEnd> trial_ends;
  std::vector<CellEnd> cell_ends;
  std::vector<std::string> bad;
  void on_run(const RunInfo& r) override { runs.push_back(r); }
  void on_cell(const CellInfo& c) override { cells.push_back(c); }
  void on_request(const RequestRecord& r, const RequestTags& t) override {
    requests.push_back(r);
    scenarios.emplace_back(t.scenario);
  }
  void on_trial_end(const TrialEnd& t) override { trial_ends.push_back(t); }
  void on_cell_end(const CellEnd& c) override { cell_ends.push_back(c); }
  void on_bad_line(std::uint64_t n, std::string_view why) override {
    bad.push_back(std::to_string(n) + ": " + std::string(why));
  }
};

TEST(RequestLine, RoundTripsEveryRawField) {
  std::string line;
  append_request_line(line, sample(), "single_request");
  ASSERT_EQ(line.back(), '\n');
  const auto doc = nlohmann::json::parse(line);  // valid JSON for any reader
  EXPECT_EQ(doc["type"], "request");
  EXPECT_EQ(doc["scenario"], "single_request");
  EXPECT_TRUE(doc["cached_tokens"].is_null());
  EXPECT_TRUE(doc["error"].is_null());
  EXPECT_EQ(doc["flags"], nlohmann::json::array({"invalid_utf8"}));
  EXPECT_DOUBLE_EQ(doc["ttft_ms"].get<double>(), 2.0);

  simdjson::dom::parser parser;
  simdjson::padded_string padded(line);
  RequestRecord back;
  RequestTags tags;
  ASSERT_EQ(read_request_line(parser.parse(padded), back, tags), "");
  EXPECT_EQ(tags.scenario, "single_request");
  EXPECT_EQ(tags.trial, 1);
  EXPECT_EQ(back.id, 7u);
  EXPECT_EQ(back.item, 3u);
  EXPECT_EQ(back.token_event_ns, sample().token_event_ns);
  EXPECT_EQ(back.first_content_ns, 4'000'000);
  EXPECT_EQ(back.output_tokens_source, TokenCountSource::server);
  EXPECT_EQ(back.cached_tokens, -1);
  EXPECT_EQ(back.output_chars, 17);
  EXPECT_EQ(back.flags, kFlagInvalidUtf8);
  EXPECT_EQ(*back.server_timing.cache_n, 3);
  EXPECT_DOUBLE_EQ(*back.server_timing.prompt_ms, 1.5);
  std::string again;
  append_request_line(again, back, tags.scenario);
  EXPECT_EQ(again, line);
}

// What the fast reader makes of a line, against the JSON parser: nullopt when it leaves the
// line to the parser, else whether both agree on every field.
std::optional<bool> same_as_parser(const std::string& line) {
  RequestRecord fast, slow;
  RequestTags fast_tags, slow_tags;
  const std::string_view text(line.data(), line.size() - (line.ends_with('\n') ? 1 : 0));
  if (!read_written_request_line(text, fast, fast_tags)) return std::nullopt;
  simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  simdjson::dom::element doc;
  if (parser.parse(padded).get(doc) != simdjson::SUCCESS) return false;
  if (!read_request_line(doc, slow, slow_tags).empty()) return false;
  std::string a, b;
  append_request_line(a, fast, fast_tags.scenario);
  append_request_line(b, slow, slow_tags.scenario);
  return a == b && fast_tags.cell == slow_tags.cell && fast_tags.trial == slow_tags.trial &&
         fast.cell == slow.cell && fast.trial == slow.trial && fast.warmup == slow.warmup;
}

TEST(RequestLine, WrittenLinesAreReadWithoutTheParserAsTheParserReadsThem) {
  std::vector<RequestRecord> records;
  RequestRecord plain = sample();
  plain.server_timing = {};
  records.push_back(plain);
  RequestRecord failed = plain;
  failed.error = ErrorKind::timeout;
  failed.error_message = "no answer in 30 s";
  failed.finish_reason.clear();
  failed.flags = 0;
  failed.warmup = true;
  failed.first_token_ns = failed.first_content_ns = 0;
  failed.token_event_ns.clear();
  failed.input_tokens = failed.output_tokens = -1;
  failed.http_status = 0;
  failed.retries = 2;
  records.push_back(failed);
  RequestRecord long_gaps = plain;
  long_gaps.token_event_ns = {1'000'001, 1'000'002, 1'000'000'000'000, 9'000'000'000'000'000};
  long_gaps.output_tokens_source = TokenCountSource::chunk_count;
  long_gaps.cached_tokens = 5;
  long_gaps.reasoning_tokens = 0;
  records.push_back(long_gaps);
  for (const auto& r : records) {
    std::string line;
    append_request_line(line, r, "concurrent_load");
    EXPECT_EQ(same_as_parser(line), std::optional<bool>(true)) << line;
  }
  // Left to the parser: fields the fast reader does not take, and anything not as written.
  RequestRecord timed = sample();
  std::string line;
  append_request_line(line, timed, "x");
  EXPECT_EQ(same_as_parser(line), std::nullopt);
  RequestRecord retry = plain;
  retry.retry_after_s = 1.5;
  line.clear();
  append_request_line(line, retry, "x");
  EXPECT_EQ(same_as_parser(line), std::nullopt);
  RequestRecord escaped = plain;
  escaped.error_message = "a \"quoted\" word";
  line.clear();
  append_request_line(line, escaped, "x");
  EXPECT_EQ(same_as_parser(line), std::nullopt);
  // Every single-byte change of a written line: the fast reader either leaves it to the parser
  // or reads it as the parser does.
  line.clear();
  append_request_line(line, long_gaps, "concurrent_load");
  for (std::size_t i = 0; i + 1 < line.size(); ++i)
    for (const char c : std::string_view("\"\\ -0019e.:,{}[]nAz_\x01\x80", 23)) {  // and NUL
      std::string changed = line;
      changed[i] = c;
      const auto same = same_as_parser(changed);
      EXPECT_TRUE(!same || *same) << changed;
    }
}

// Numbers of 19 digits and more (a damaged or hand-edited stamp) are left to the parser, which
// reads those that fit an int64 and refuses the rest, and the fast reader does not overflow on
// them on the way (UBSan, found by fuzzing on the device).
TEST(RequestLine, IntegersOfNineteenDigitsAndMoreAreLeftToTheParser) {
  RequestRecord plain = sample();
  plain.server_timing = {};
  std::string written;
  append_request_line(written, plain, "x");
  const std::string end_ns = "\"end_ns\":" + std::to_string(plain.end_ns);
  ASSERT_NE(written.find(end_ns), std::string::npos);
  for (const std::string number :
       {"1000000000000000007", "9223372036854775807", "9223372036854775808", "9999999999999999999",
        "97777777777777777777777777777777777777777777777777777777777770"}) {
    std::string line = written;
    line.replace(line.find(end_ns), end_ns.size(), "\"end_ns\":" + number);
    EXPECT_EQ(same_as_parser(line), std::nullopt) << number;
  }
}

TEST(RequestLine, HostileStringsBecomeValidBoundedUtf8) {
  RequestRecord r = sample();
  r.error = ErrorKind::server_error;
  r.http_status = 502;
  r.error_message = "Erreur \xE9trange\r\n\"quoted\"\x01 " + std::string(10'000, 'x');
  std::string line;
  append_request_line(line, r, "custom");
  const auto doc = nlohmann::json::parse(line);  // throws on invalid UTF-8
  const std::string message = doc["error_message"];
  EXPECT_NE(message.find("Erreur \xEF\xBF\xBDtrange\r\n\"quoted\"\x01"), std::string::npos);
  EXPECT_LT(message.size(), 2100u);
  EXPECT_EQ(doc["error"], "server_error");
}

TEST(RequestLog, WritesTypedLinesAndReadsThemBack) {
  const testsupport::TempDir dir;
  const auto path = dir / "fw" / "log.jsonl";
  {
    RequestLogWriter log(path);
    RunInfo run;
    run.run_id = "r1";
    run.framework = "vllm";
    log.write_run(run);
    CellInfo cell;
    cell.run_id = "r1";
    cell.cell_key = "k1";
    cell.scenario = "single_request";
    cell.cell = "in=8,out=4";
    log.begin_cell(cell);
    log.on_record(sample());
    log.on_record(sample());
    TrialEnd end;
    end.cell_key = "k1";
    end.trial = 1;
    end.sent = 2;
    log.end_trial(end);
    log.end_cell({"k1", true, "none"});
  }
  EXPECT_EQ(lines_of(path).size(), 6u);
  Collect seen;
  const auto stats = read_request_log(path, seen);
  EXPECT_EQ(stats.schema, 2);
  EXPECT_EQ(stats.requests, 2u);
  EXPECT_EQ(stats.bad_lines, 0u);
  ASSERT_EQ(seen.runs.size(), 1u);
  EXPECT_EQ(seen.runs[0].framework, "vllm");
  EXPECT_EQ(seen.cells.at(0).cell_key, "k1");
  EXPECT_EQ(seen.scenarios.at(1), "single_request");
  EXPECT_EQ(seen.trial_ends.at(0).sent, 2);
  EXPECT_TRUE(seen.cell_ends.at(0).complete);
}

TEST(RequestLog, SecondWriterIsRefusedWhileTheFirstHoldsTheFile) {
  const testsupport::TempDir dir;
  RequestLogWriter first(dir / "log.jsonl");
  try {
    RequestLogWriter second(dir / "log.jsonl");
    FAIL() << "two writers on one log";
  } catch (const OutputError& e) {
    EXPECT_NE(std::string(e.what()).find("another servemeter run"), std::string::npos);
  }
}

TEST(RequestLog, AnUnfinishedLastLineIsCutBeforeAppending) {
  const testsupport::TempDir dir;
  const auto path = dir / "log.jsonl";
  std::string whole;
  append_request_line(whole, sample(), "custom");
  {
    std::ofstream out(path);
    out << whole << whole.substr(0, 40);  // a crash mid-line
  }
  Collect before;
  const auto stats = read_request_log(path, before);
  EXPECT_TRUE(stats.unfinished_tail);
  EXPECT_EQ(before.requests.size(), 1u);
  {
    RequestLogWriter log(path);
    log.on_record(sample());
  }
  const auto lines = lines_of(path);
  ASSERT_EQ(lines.size(), 2u);
  for (const auto& line : lines) EXPECT_NO_THROW(nlohmann::json::parse(line)) << line;
}

TEST(RequestLog, ReaderSkipsBadLinesAndReadsSchemaOne) {
  const testsupport::TempDir dir;
  const auto path = dir / "old.jsonl";
  {
    std::ofstream out(path);
    out << R"({"schema":"servemeter.request/1","id":1,"scenario":"custom","cell":"c","trial":0,)"
           R"("warmup":false,"send_ns":100,"first_token_ns":200,"end_ns":400,)"
           R"("token_event_ns":[200,300,400],"output_tokens":3,"error":null})"
        << "\n"
        << "not json at all\n"
        << R"({"type":"request","id":2,"error":"no_such_kind"})"
        << "\n"
        << R"({"type":"mystery"})"
        << "\n";
  }
  Collect seen;
  const auto stats = read_request_log(path, seen);
  EXPECT_EQ(stats.schema, 2);  // a typed line appeared too
  ASSERT_EQ(seen.requests.size(), 1u);
  EXPECT_EQ(seen.requests[0].token_event_ns, (std::vector<std::int64_t>{200, 300, 400}));
  EXPECT_EQ(seen.scenarios[0], "custom");
  ASSERT_EQ(seen.bad.size(), 3u);
  EXPECT_NE(seen.bad[0].find("2: not JSON"), std::string::npos) << seen.bad[0];
  EXPECT_NE(seen.bad[1].find("no_such_kind"), std::string::npos) << seen.bad[1];
  EXPECT_NE(seen.bad[2].find("mystery"), std::string::npos) << seen.bad[2];
}

TEST(RequestLog, AMissingFileIsAReadErrorNamingIt) {
  Collect seen;
  try {
    read_request_log("/no/such/log.jsonl", seen);
    FAIL();
  } catch (const ReadError& e) {
    EXPECT_NE(std::string(e.what()).find("/no/such/log.jsonl"), std::string::npos);
  }
}

TEST(RequestLog, AFullDiskMovesTheLogToAFallbackFileWithEveryLine) {
  // /dev/full accepts the open and fails every write with ENOSPC.
  const testsupport::TempDir dir;
  setenv("TMPDIR", dir.string().c_str(), 1);
  {
    RequestLogWriter log("/dev/full");
    RunInfo run;
    run.run_id = "r";
    run.framework = "fw";
    log.write_run(run);
    log.on_record(sample());
    log.flush();
    ASSERT_FALSE(log.fallback_path().empty());
    EXPECT_NE(log.failure().find("/dev/full"), std::string::npos);
    EXPECT_EQ(log.fallback_path().parent_path(), dir.path());
  }
  unsetenv("TMPDIR");
  std::filesystem::path fallback;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) fallback = e.path();
  Collect seen;
  read_request_log(fallback, seen);
  EXPECT_EQ(seen.runs.size(), 1u);
  EXPECT_EQ(seen.requests.size(), 1u);
}

}  // namespace
}  // namespace servemeter
