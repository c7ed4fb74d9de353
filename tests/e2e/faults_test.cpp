// Each simulator fault, seen through the client: the failure is a record with the right error
// kind, and the run goes on.
#include <gtest/gtest.h>

#include "e2e/e2e_util.h"
#include "orchestrate/health_check.h"

namespace servemeter::e2e {
namespace {

std::map<ErrorKind, int> kinds(const load::CellResult& result) {
  std::map<ErrorKind, int> count;
  for (const auto& r : result.records) ++count[r.error];
  return count;
}

sim::SimOptions fast() {
  sim::SimOptions o;
  o.ttft_ms = 5;
  o.itl_ms = 1;
  return o;
}

TEST(Faults, StatusAnswersAreHttpStatusRecordsWithTheServerMessage) {
  auto o = fast();
  o.fault_status = 503;
  o.fault_rate = 1.0;
  auto target = start_sim(o);
  CellRequest cell;
  cell.num_requests = 4;
  const auto result = run_against(target.base_url, cell);
  ASSERT_EQ(result.records.size(), 4u);
  for (const auto& r : result.records) {
    EXPECT_EQ(r.error, ErrorKind::server_error);
    EXPECT_EQ(r.http_status, 503);
    EXPECT_FALSE(r.error_message.empty());
  }
}

TEST(Faults, PartialStatusFractionLeavesTheRestSucceeding) {
  auto o = fast();
  o.fault_status = 429;
  o.fault_rate = 0.5;
  auto target = start_sim(o);
  CellRequest cell;
  cell.num_requests = 40;
  cell.concurrency = 4;
  auto count = kinds(run_against(target.base_url, cell));
  EXPECT_GT(count[ErrorKind::rate_limited], 5);
  EXPECT_GT(count[ErrorKind::none], 5);
}

TEST(Faults, DisconnectMidStreamIsTruncated) {
  auto o = fast();
  o.disconnect_after = 5;
  auto target = start_sim(o);
  CellRequest cell;
  cell.num_requests = 3;
  const auto result = run_against(target.base_url, cell);
  for (const auto& r : result.records) {
    EXPECT_EQ(r.error, ErrorKind::truncated) << r.error_message;
    EXPECT_EQ(r.token_event_ns.size(), 5u);
  }
}

TEST(Faults, StalledStreamTimesOut) {
  auto o = fast();
  // curl's low-speed check averages over a few seconds: a 1 s stall timeout fires after 1–6 s.
  o.stall_ms = 9000;
  o.stall_after = 2;
  auto target = start_sim(o);
  CellRequest cell;
  cell.num_requests = 2;
  cell.concurrency = 2;
  http::ClientOptions client;
  client.stall_timeout = std::chrono::seconds(1);
  const auto result = run_against(target.base_url, cell, client);
  for (const auto& r : result.records) {
    EXPECT_EQ(r.error, ErrorKind::timeout) << r.error_message;
    EXPECT_EQ(r.token_event_ns.size(), 2u);
  }
}

TEST(Faults, MalformedEventIsBadPayload) {
  auto o = fast();
  o.malformed_rate = 1.0;
  auto target = start_sim(o);
  CellRequest cell;
  cell.num_requests = 3;
  const auto result = run_against(target.base_url, cell);
  for (const auto& r : result.records)
    EXPECT_EQ(r.error, ErrorKind::bad_payload) << r.error_message;
}

TEST(Faults, LoadingServerIsUnhealthyThenHealthy) {
  auto o = fast();
  o.loading_s = 1.5;
  auto target = start_sim(o);
  HealthOptions once;
  once.timeout_ms = 1000;
  EXPECT_FALSE(check_health(target.base_url, "/health", once).healthy);
  HealthOptions waiting = once;
  waiting.wait_s = 10;
  const auto health = check_health(target.base_url, "/health", waiting);
  EXPECT_TRUE(health.healthy) << health.describe();
}

}  // namespace
}  // namespace servemeter::e2e
