#pragma once
// Reading a TCP socket together with the time the kernel received the bytes (SO_TIMESTAMPNS),
// so the simulator's truth says when a request reached the server rather than when its one
// thread got round to reading it. A burst of 1,024 new connections otherwise queues behind the
// simulator's own per-request work, and that delay would count as the client's timing error.
#include <sys/types.h>

#include <cstddef>
#include <cstdint>

namespace servemeter::sim {

// Asks the kernel to stamp every packet received on `fd`; false if it refused.
bool enable_receive_timestamps(int fd) noexcept;

struct StampedRead {
  ssize_t bytes = -1;  // as recvmsg: > 0 read, 0 end of stream, -1 error (see `error`)
  int error = 0;       // errno when bytes == -1
  // CLOCK_MONOTONIC ns at which the kernel received the last of these bytes; the time of the
  // read itself when the kernel gave no stamp.
  std::int64_t arrival_ns = 0;
};

// One non-blocking recvmsg into `data`.
StampedRead receive_stamped(int fd, void* data, std::size_t size) noexcept;

}  // namespace servemeter::sim
