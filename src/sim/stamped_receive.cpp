#include "sim/stamped_receive.h"

#include <sys/socket.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/clock.h"

namespace servemeter::sim {
namespace {

std::int64_t realtime_ns() noexcept {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace

bool enable_receive_timestamps(int fd) noexcept {
  const int on = 1;
  return setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) == 0;
}

StampedRead receive_stamped(int fd, void* data, std::size_t size) noexcept {
  iovec iov{data, size};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec))];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  StampedRead read;
  read.bytes = recvmsg(fd, &msg, MSG_DONTWAIT);
  if (read.bytes < 0) read.error = errno;
  const std::int64_t now = monotonic_ns();
  read.arrival_ns = now;
  if (read.bytes <= 0) return read;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPNS) continue;
    timespec stamp;
    std::memcpy(&stamp, CMSG_DATA(c), sizeof stamp);
    // The stamp is CLOCK_REALTIME; the offset between the clocks is read now, so a clock step
    // between the packet and this read is the only way it can be off.
    const std::int64_t real =
        static_cast<std::int64_t>(stamp.tv_sec) * 1'000'000'000 + stamp.tv_nsec;
    read.arrival_ns = std::min(now, real - (realtime_ns() - now));
  }
  return read;
}

}  // namespace servemeter::sim
