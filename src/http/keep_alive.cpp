#include "http/keep_alive.h"

#include <poll.h>

namespace servemeter::http {

IdlePeek peek_idle(int fd) noexcept {
  // POLLRDHUP reports the server's FIN even behind unread bytes (a TLS close_notify comes first).
  pollfd p{fd, POLLIN | POLLRDHUP, 0};
  if (::poll(&p, 1, 0) <= 0) return IdlePeek::quiet;
  if ((p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0) return IdlePeek::closed;
  return (p.revents & POLLIN) != 0 ? IdlePeek::data : IdlePeek::quiet;
}

}  // namespace servemeter::http
