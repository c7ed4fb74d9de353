// The kernel's receive time, not the time of the read, is what a stamped read reports.
#include "sim/stamped_receive.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "core/clock.h"

namespace {

using servemeter::monotonic_ns;
using servemeter::sim::enable_receive_timestamps;
using servemeter::sim::receive_stamped;

constexpr std::int64_t kWaitNs = 30'000'000;

// A connected loopback TCP pair; closes both ends. With `stamped`, the listening socket asks
// for stamps and the accepted one inherits that, as in the simulator.
struct TcpPair {
  int client = -1, server = -1;
  explicit TcpPair(bool stamped) {
    const int listener = socket(AF_INET, SOCK_STREAM, 0);
    if (stamped) {
      EXPECT_TRUE(enable_receive_timestamps(listener));
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    EXPECT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&addr), len), 0);
    EXPECT_EQ(listen(listener, 1), 0);
    EXPECT_EQ(getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    client = socket(AF_INET, SOCK_STREAM, 0);
    EXPECT_EQ(connect(client, reinterpret_cast<sockaddr*>(&addr), len), 0);
    server = accept(listener, nullptr, nullptr);
    close(listener);
  }
  ~TcpPair() {
    close(client);
    close(server);
  }
};

void send_text(int fd, const char* text) {
  ASSERT_EQ(send(fd, text, std::strlen(text), 0), static_cast<ssize_t>(std::strlen(text)));
}

// Linux switches receive stamping on for the whole host a moment after the first socket asks
// (deferred work); until then a stamped read reports its own time. Wait for that.
void wait_until_the_kernel_stamps(TcpPair& pair) {
  char buf[8];
  for (int i = 0; i < 500; ++i) {
    send_text(pair.client, "w");
    std::this_thread::sleep_for(std::chrono::milliseconds(4));
    const auto read = receive_stamped(pair.server, buf, sizeof buf);
    if (read.bytes == 1 && monotonic_ns() - read.arrival_ns > 2'000'000) return;
  }
  FAIL() << "the kernel never stamped a received packet";
}

TEST(StampedReceive, ArrivalIsWhenTheKernelGotTheBytesNotWhenTheyWereRead) {
  TcpPair pair(true);
  wait_until_the_kernel_stamps(pair);
  const std::int64_t before_send = monotonic_ns();
  send_text(pair.client, "GET / HTTP/1.1\r\n\r\n");
  const std::int64_t after_send = monotonic_ns();
  std::this_thread::sleep_for(std::chrono::nanoseconds(kWaitNs));
  char buf[64];
  const auto read = receive_stamped(pair.server, buf, sizeof buf);
  ASSERT_EQ(read.bytes, 18);
  EXPECT_EQ(std::string_view(buf, 18), "GET / HTTP/1.1\r\n\r\n");
  // Clock conversion may put the stamp a few µs either side of the send call.
  EXPECT_GE(read.arrival_ns, before_send - 100'000);
  EXPECT_LE(read.arrival_ns, after_send + 100'000);
  EXPECT_GE(monotonic_ns() - read.arrival_ns, kWaitNs - 100'000);
}

TEST(StampedReceive, TwoSendsReadTogetherCarryTheLaterArrival) {
  TcpPair pair(true);
  wait_until_the_kernel_stamps(pair);
  send_text(pair.client, "first ");
  std::this_thread::sleep_for(std::chrono::nanoseconds(kWaitNs));
  const std::int64_t before_second = monotonic_ns();
  send_text(pair.client, "second");
  char buf[64];
  const auto read = receive_stamped(pair.server, buf, sizeof buf);
  ASSERT_EQ(read.bytes, 12);
  EXPECT_GE(read.arrival_ns, before_second - 100'000);
}

TEST(StampedReceive, WithoutKernelStampsArrivalIsTheReadTime) {
  TcpPair pair(false);
  const std::int64_t before_send = monotonic_ns();
  send_text(pair.client, "x");
  std::this_thread::sleep_for(std::chrono::nanoseconds(kWaitNs));
  char buf[8];
  const auto read = receive_stamped(pair.server, buf, sizeof buf);
  ASSERT_EQ(read.bytes, 1);
  EXPECT_GE(read.arrival_ns - before_send, kWaitNs);
}

TEST(StampedReceive, ReportsWouldBlockAndEndOfStream) {
  TcpPair pair(true);
  char buf[8];
  const auto empty = receive_stamped(pair.server, buf, sizeof buf);
  EXPECT_EQ(empty.bytes, -1);
  EXPECT_TRUE(empty.error == EAGAIN || empty.error == EWOULDBLOCK) << empty.error;
  shutdown(pair.client, SHUT_WR);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(receive_stamped(pair.server, buf, sizeof buf).bytes, 0);
}

}  // namespace
