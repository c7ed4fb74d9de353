#include "core/metrics.h"

#include <gtest/gtest.h>

namespace servemeter {
namespace {

RequestRecord finished_request() {
  RequestRecord r;
  r.intended_send_ns = 900'000'000;
  r.send_ns = 1'000'000'000;
  r.first_token_ns = 1'050'000'000;    // TTFT 50 ms
  r.first_content_ns = 1'070'000'000;  // TTFC 70 ms
  r.token_event_ns = {1'050'000'000, 1'060'000'000, 1'070'000'000, 1'090'000'000};
  r.end_ns = 1'250'000'000;  // E2EL 250 ms
  r.output_tokens = 21;
  return r;
}

TEST(Metrics, TimesFromSendAndIntended) {
  const auto r = finished_request();
  EXPECT_DOUBLE_EQ(*ttft_ms(r), 50);
  EXPECT_DOUBLE_EQ(*ttfc_ms(r), 70);
  EXPECT_DOUBLE_EQ(*e2el_ms(r), 250);
  EXPECT_DOUBLE_EQ(*send_lag_ms(r), 100);
  EXPECT_DOUBLE_EQ(*e2el_from_intended_ms(r), 350);
  EXPECT_DOUBLE_EQ(*ttft_from_intended_ms(r), 150);
}

TEST(Metrics, TpotUsesServerTokenCount) {
  const auto r = finished_request();
  EXPECT_DOUBLE_EQ(*tpot_ms(r), (250.0 - 50.0) / 20.0);
}

TEST(Metrics, TpotUndefinedForOneToken) {
  auto r = finished_request();
  r.output_tokens = 1;
  EXPECT_FALSE(tpot_ms(r));
}

TEST(Metrics, ItlIsGapsBetweenTokenEvents) {
  const auto gaps = itl_ms(finished_request());
  ASSERT_EQ(gaps.size(), 3u);
  EXPECT_DOUBLE_EQ(gaps[0], 10);
  EXPECT_DOUBLE_EQ(gaps[1], 10);
  EXPECT_DOUBLE_EQ(gaps[2], 20);
}

TEST(Metrics, NoTokenMeansNoTtft) {
  RequestRecord r;
  r.send_ns = 5;
  r.end_ns = 10;
  EXPECT_FALSE(ttft_ms(r));
  EXPECT_FALSE(ttfc_ms(r));
}

}  // namespace
}  // namespace servemeter
