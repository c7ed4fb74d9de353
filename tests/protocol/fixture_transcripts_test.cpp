// Every generation transcript in shared/fixtures/wire, fed whole, split in two at every byte, and
// byte by byte, in several line-ending/decoration variants: the record must always be the same,
// and each token's stamp must be that of the read that completed its event.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <functional>

#include "fixture_expectations.h"
#include "transcript_util.h"

namespace servemeter::test {
namespace {

struct Variant {
  std::string name;
  std::function<std::string(const std::string&)> transform;
  std::string terminator;  // what ends an event in the transformed body
  size_t completes_at;     // offset in the terminator of the byte that completes the event
};

std::vector<Variant> variants(bool sse) {
  if (sse) {
    return {
        {"lf", [](const std::string& b) { return b; }, "\n\n", 1},
        {"crlf", [](const std::string& b) { return replace_all(b, "\n", "\r\n"); }, "\r\n\r\n", 2},
        {"cr", [](const std::string& b) { return replace_all(b, "\n", "\r"); }, "\r\r", 1},
        {"no_space", [](const std::string& b) { return replace_all(b, "data: ", "data:"); }, "\n\n",
         1},
        {"decorated",
         [](const std::string& b) {
           return replace_all(b,
                              "data: ", ": keep-alive\nevent: message\nid: 42\nretry: 5\ndata: ");
         },
         "\n\n", 1},
    };
  }
  return {
      {"lf", [](const std::string& b) { return b; }, "\n", 0},
      {"crlf", [](const std::string& b) { return replace_all(b, "\n", "\r\n"); }, "\r\n", 1},
      {"blank_lines", [](const std::string& b) { return replace_all(b, "\n", "\n\n  \n"); },
       "\n\n  \n", 0},
  };
}

bool is_sse(const std::string& file) {
  return file.ends_with(".sse");
}

// The stamps the token events must carry, given the stamp of the read holding each event's end.
std::vector<std::int64_t> expected_stamps(const FixtureExpectation& e,
                                          const std::vector<size_t>& ends,
                                          const std::function<std::int64_t(size_t)>& stamp_of) {
  std::vector<std::int64_t> stamps;
  for (int event : e.token_events) stamps.push_back(stamp_of(ends.at(static_cast<size_t>(event))));
  return stamps;
}

void expect_timing(const std::optional<double>& want, const std::optional<double>& got,
                   const char* what) {
  ASSERT_EQ(want.has_value(), got.has_value()) << what;
  if (want) {
    EXPECT_NEAR(*want, *got, 1e-9) << what;
  }
}

void expect_record(const FixtureExpectation& e, const RequestRecord& r,
                   const std::vector<size_t>& ends,
                   const std::function<std::int64_t(size_t)>& stamp_of) {
  EXPECT_EQ(r.input_tokens, e.input_tokens);
  EXPECT_EQ(r.output_tokens, e.output_tokens);
  EXPECT_EQ(r.output_tokens_source, e.source);
  EXPECT_EQ(r.cached_tokens, e.cached_tokens);
  EXPECT_EQ(r.reasoning_tokens, e.reasoning_tokens);
  EXPECT_EQ(r.finish_reason, e.finish_reason);
  EXPECT_EQ(r.error, e.error) << r.error_message;
  EXPECT_EQ(r.error_message, e.error_message);
  const auto stamps = expected_stamps(e, ends, stamp_of);
  EXPECT_EQ(r.token_event_ns, stamps);
  EXPECT_EQ(r.first_token_ns, stamps.empty() ? 0 : stamps.front());
  const std::int64_t first_content =
      e.first_content_event < 0 ? 0 : stamp_of(ends.at(static_cast<size_t>(e.first_content_event)));
  EXPECT_EQ(r.first_content_ns, first_content);
  expect_timing(e.timing.prompt_ms, r.server_timing.prompt_ms, "prompt_ms");
  expect_timing(e.timing.predicted_ms, r.server_timing.predicted_ms, "predicted_ms");
  expect_timing(e.timing.total_ms, r.server_timing.total_ms, "total_ms");
  expect_timing(e.timing.load_ms, r.server_timing.load_ms, "load_ms");
  EXPECT_EQ(r.server_timing.cache_n, e.timing.cache_n);
  EXPECT_EQ(r.end_ns, 1'000'000);
}

class FixtureTranscript : public ::testing::TestWithParam<FixtureExpectation> {};

TEST_P(FixtureTranscript, ParsesToExpectedRecordUnderEverySplit) {
  const FixtureExpectation& e = GetParam();
  const std::string original = read_fixture(e.file);
  ASSERT_FALSE(original.empty()) << e.file;
  const auto adapter = make_adapter(e.api);
  ASSERT_NE(adapter, nullptr);
  for (const Variant& v : variants(is_sse(e.file))) {
    SCOPED_TRACE(e.file + " [" + v.name + "]");
    const std::string body = v.transform(original);
    const auto ends = event_end_offsets(body, v.terminator, v.completes_at);
    const size_t last_event = static_cast<size_t>(
        std::max(e.token_events.empty() ? 0 : e.token_events.back(), e.first_content_event));
    ASSERT_GT(ends.size(), last_event);

    const RequestRecord whole = run_whole(*adapter, body, 7);
    expect_record(e, whole, ends, [](size_t) { return 7; });
    EXPECT_EQ(whole.bytes_received, static_cast<std::int64_t>(body.size()));

    const RequestRecord bytewise = run_bytewise(*adapter, body);
    expect_record(e, bytewise, ends, [](size_t end) { return static_cast<std::int64_t>(end + 1); });

    for (size_t at = 0; at <= body.size(); ++at) {
      SCOPED_TRACE("split at byte " + std::to_string(at));
      const RequestRecord split = run_split(*adapter, body, at, 100, 200);
      expect_record(e, split, ends, [at](size_t end) { return end < at ? 100 : 200; });
      if (::testing::Test::HasFailure()) return;  // one failing split says enough
    }
  }
}

std::string fixture_name(const ::testing::TestParamInfo<FixtureExpectation>& info) {
  std::string name = std::filesystem::path(info.param.file).stem().string();
  std::replace_if(
      name.begin(), name.end(), [](char c) { return !std::isalnum(c); }, '_');
  return name;
}

INSTANTIATE_TEST_SUITE_P(Wire, FixtureTranscript, ::testing::ValuesIn(fixture_expectations()),
                         fixture_name);

// A transcript added to the fixture folder must get expectations here (or be declared
// non-generation), so the parsers never silently fall behind the captured wire formats.
TEST(FixtureCoverage, EveryStreamTranscriptHasExpectations) {
  std::vector<std::string> covered = non_generation_streams();
  for (const auto& e : fixture_expectations()) covered.push_back(e.file);
  int streams = 0;
  const std::filesystem::path root(SERVEMETER_FIXTURE_DIR);
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    const auto ext = entry.path().extension();
    if (ext != ".sse" && ext != ".ndjson") continue;
    ++streams;
    const std::string relative = std::filesystem::relative(entry.path(), root).generic_string();
    EXPECT_NE(std::find(covered.begin(), covered.end(), relative), covered.end())
        << relative << " has no expectations in fixture_expectations.h";
  }
  EXPECT_EQ(streams, static_cast<int>(covered.size()));
}

}  // namespace
}  // namespace servemeter::test
