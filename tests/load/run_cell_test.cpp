// run_cell against the fake loopback server: closed/open loop, warm-up, caps, labels.
#include "load/run_cell.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "http/fake_adapter.h"
#include "http/fake_server.h"
#include "protocol/api_adapter.h"

namespace servemeter::load {
namespace {

using testing::FakeAdapter;
using testing::FakeConnection;
using testing::FakeServer;
using testing::SeenRequest;

constexpr std::int64_t kMs = 1'000'000;

FakeServer::Handler answer_after(int delay_ms) {
  return [delay_ms](const SeenRequest&, FakeConnection& conn) {
    if (delay_ms > 0) conn.sleep_ms(delay_ms);
    testing::answer_sse(conn, 1);
  };
}

CellInput make_input(const FakeServer& server, const FakeAdapter& adapter, std::size_t n) {
  CellInput in;
  in.base_url = "http://127.0.0.1:" + std::to_string(server.port()) + "/";
  in.adapter = &adapter;
  for (std::size_t i = 0; i < n; ++i) {
    PreparedRequest p;
    GenerationRequest g;
    g.prompt = "p" + std::to_string(i);
    g.max_tokens = 16;
    p.request = g;
    p.requested_input_tokens = 100 + static_cast<std::int64_t>(i);
    p.requested_output_tokens = 16;
    in.requests.push_back(std::move(p));
  }
  return in;
}

TEST(RunCell, ClosedLoopKeepsConcurrencyInFlight) {
  FakeServer server(answer_after(30));
  FakeAdapter adapter;
  CellInput in = make_input(server, adapter, 20);
  in.load.mode = ClosedLoop{4};
  in.cell = "conc=4";
  in.trial = 2;
  in.first_id = 500;
  NullProgress quiet;
  const CellResult res = run_cell(in, quiet);
  ASSERT_EQ(res.records.size(), 20u);
  EXPECT_EQ(server.max_in_flight(), 4);
  EXPECT_LE(server.connections(), 4);  // kept-alive connections reused across the 20
  EXPECT_FALSE(res.target_rate.has_value());
  for (std::size_t i = 0; i < res.records.size(); ++i) {
    const RequestRecord& r = res.records[i];
    EXPECT_TRUE(r.ok()) << r.error_message;
    EXPECT_EQ(r.id, 500 + i);
    EXPECT_EQ(r.cell, "conc=4");
    EXPECT_EQ(r.trial, 2);
    EXPECT_EQ(r.requested_input_tokens, 100 + static_cast<std::int64_t>(i));
    EXPECT_EQ(r.intended_send_ns, r.send_ns);
    EXPECT_FALSE(r.warmup);
  }
  // Bodies went out in order, each with its id.
  const auto seen = server.requests();
  ASSERT_EQ(seen.size(), 20u);
  std::vector<std::string> ids;
  for (const auto& s : seen) ids.push_back(s.headers.at("x-request-id"));
  EXPECT_NE(std::find(ids.begin(), ids.end(), "519"), ids.end());
  EXPECT_EQ(seen[0].path, "/v1/test");  // base URL's trailing slash dropped
}

TEST(RunCell, WarmupIsMarkedAndFinishesBeforeMeasuredRequests) {
  FakeServer server(answer_after(20));
  FakeAdapter adapter;
  CellInput in = make_input(server, adapter, 9);
  in.load.mode = ClosedLoop{3};
  in.warmup = 3;
  NullProgress quiet;
  const CellResult res = run_cell(in, quiet);
  ASSERT_EQ(res.records.size(), 9u);
  std::int64_t last_warm_end = 0;
  std::int64_t first_measured_send = INT64_MAX;
  std::int64_t last_measured_end = 0;
  for (std::size_t i = 0; i < 9; ++i) {
    const RequestRecord& r = res.records[i];
    ASSERT_TRUE(r.ok()) << r.error_message;
    EXPECT_EQ(r.warmup, i < 3) << i;
    if (r.warmup) {
      last_warm_end = std::max(last_warm_end, r.end_ns);
    } else {
      first_measured_send = std::min(first_measured_send, r.send_ns);
      last_measured_end = std::max(last_measured_end, r.end_ns);
    }
  }
  EXPECT_LE(last_warm_end, first_measured_send);
  EXPECT_EQ(res.window_start_ns, first_measured_send);
  EXPECT_EQ(res.window_end_ns, last_measured_end);
  EXPECT_EQ(server.max_in_flight(), 3);
}

TEST(RunCell, OpenLoopSendsAtTheIntendedRate) {
  FakeServer server(answer_after(0));
  FakeAdapter adapter;
  CellInput in = make_input(server, adapter, 120);
  in.load.mode = OpenLoop{200.0, 1.0, 0};
  in.load.seed = 11;
  NullProgress quiet;
  const CellResult res = run_cell(in, quiet);
  ASSERT_EQ(res.records.size(), 120u);
  ASSERT_TRUE(res.target_rate.has_value());
  EXPECT_DOUBLE_EQ(*res.target_rate, 200.0);
  std::vector<std::int64_t> lags;
  for (const auto& r : res.records) {
    ASSERT_TRUE(r.ok()) << r.error_message;
    ASSERT_GT(r.intended_send_ns, 0);
    lags.push_back(r.send_ns - r.intended_send_ns);
  }
  std::sort(lags.begin(), lags.end());
  EXPECT_GE(lags.front(), 0);                  // never sent early
  EXPECT_LT(lags[lags.size() / 2], 20 * kMs);  // generous: loaded 2-core CI
  const double span_s = static_cast<double>(res.records.back().intended_send_ns -
                                            res.records.front().intended_send_ns) /
                        1e9;
  EXPECT_NEAR(119.0 / span_s, 200.0, 200.0 * 0.35);  // 119 Poisson gaps: ±~9% sd
  ASSERT_TRUE(res.achieved_rate.has_value());
  EXPECT_NEAR(*res.achieved_rate, 119.0 / span_s, 119.0 / span_s * 0.15);
}

TEST(RunCell, OpenLoopRespectsMaxConcurrencyAndKeepsIntendedTimes) {
  FakeServer server(answer_after(60));
  FakeAdapter adapter;
  CellInput in = make_input(server, adapter, 12);
  in.load.mode = OpenLoop{1000.0, 1.0, 3};  // all arrive within ~tens of ms
  NullProgress quiet;
  const CellResult res = run_cell(in, quiet);
  EXPECT_EQ(server.max_in_flight(), 3);
  int held_back = 0;
  for (const auto& r : res.records) {
    ASSERT_TRUE(r.ok()) << r.error_message;
    if (r.send_ns - r.intended_send_ns > 40 * kMs) ++held_back;
  }
  EXPECT_GE(held_back, 6);  // 12 requests, 3 at a time, 60 ms each
}

TEST(RunCell, FailuresAreRecordsNotExceptions) {
  FakeServer server([](const SeenRequest&, FakeConnection& conn) {
    conn.send_full(500, "application/json", R"({"error":"boom"})");
  });
  FakeAdapter adapter;
  CellInput in = make_input(server, adapter, 5);
  in.load.mode = ClosedLoop{2};
  NullProgress quiet;
  const CellResult res = run_cell(in, quiet);
  ASSERT_EQ(res.records.size(), 5u);
  for (const auto& r : res.records) {
    EXPECT_EQ(r.error, ErrorKind::server_error);
    EXPECT_EQ(r.http_status, 500);
  }
}

TEST(RunCell, ProgressIsReportedAndFinished) {
  struct Counting : ProgressSink {
    int updates = 0;
    int finishes = 0;
    ProgressSnapshot last;
    void update(const ProgressSnapshot&) override { ++updates; }
    void finish(const ProgressSnapshot& s) override {
      ++finishes;
      last = s;
    }
  } sink;
  FakeServer server(answer_after(100));
  FakeAdapter adapter;
  CellInput in = make_input(server, adapter, 6);
  in.load.mode = ClosedLoop{1};
  in.cell = "c";
  const CellResult res = run_cell(in, sink);
  EXPECT_EQ(sink.finishes, 1);
  EXPECT_GE(sink.updates, 1);  // ≥ 600 ms of work, updated every 250 ms
  EXPECT_EQ(sink.last.done, 6);
  EXPECT_EQ(sink.last.total, 6);
  EXPECT_EQ(sink.last.errors, 0);
}

TEST(RunCell, RejectsUnusableInput) {
  CellInput in;
  NullProgress quiet;
  EXPECT_THROW(run_cell(in, quiet), std::invalid_argument);  // no adapter
  FakeAdapter adapter;
  in.adapter = &adapter;
  in.requests.resize(1);
  in.requests[0].request = HttpRequestSpec{"/x", "{}"};
  in.load.mode = ClosedLoop{0};
  in.base_url = "http://127.0.0.1:1";
  EXPECT_THROW(run_cell(in, quiet), std::invalid_argument);
}

TEST(RunCell, CountsEachBodyByteOnceThroughARealAdapter) {
  // The de-chunked body, sent in three HTTP chunks: every byte must be counted exactly once.
  const std::string first = testing::sse_event("a");
  const std::string second = testing::sse_event("b");
  FakeServer server([&](const SeenRequest&, FakeConnection& conn) {
    conn.send_chunked_head(200, "text/event-stream");
    conn.send_chunk(first);
    conn.send_chunk(second);
    conn.send_chunk(testing::kSseDone);
    conn.end_chunks();
  });
  const auto adapter = make_adapter("openai-chat");
  FakeAdapter unused;
  CellInput in = make_input(server, unused, 3);
  in.adapter = adapter.get();
  in.load.mode = ClosedLoop{1};
  NullProgress quiet;
  const CellResult res = run_cell(in, quiet);
  ASSERT_EQ(res.records.size(), 3u);
  for (const RequestRecord& r : res.records) {
    EXPECT_TRUE(r.ok()) << r.error_message;
    EXPECT_EQ(r.token_event_ns.size(), 2u);
    EXPECT_EQ(r.bytes_received,
              static_cast<std::int64_t>(first.size() + second.size() + testing::kSseDone.size()));
  }
}

}  // namespace
}  // namespace servemeter::load
