// The simulator's sockets stay in its process: an in-process simulator (`run --simulate`,
// tests) shares the process with code that starts programs, and an inherited listening socket
// would keep the port, and take connections nobody serves, after the simulator stopped.
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "sim/sim_server.h"

namespace servemeter::sim {
namespace {

// Descriptors of this process that are TCP sockets bound to `port` on this side.
std::vector<int> sockets_on_port(std::uint16_t port) {
  std::vector<int> fds;
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return fds;
  while (const dirent* e = readdir(dir)) {
    if (e->d_name[0] == '.') continue;
    const int fd = std::atoi(e->d_name);
    sockaddr_in address{};
    socklen_t size = sizeof address;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) continue;
    if (address.sin_family == AF_INET && ntohs(address.sin_port) == port) fds.push_back(fd);
  }
  closedir(dir);
  return fds;
}

TEST(SimSockets, ListeningAndAcceptedSocketsAreClosedOnExec) {
  SimOptions options;
  auto server = SimServer::start(options);
  // A client connection, answered, so the server has accepted it.
  const int client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(server->port());
  inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  ASSERT_EQ(connect(client, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  const std::string request = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_EQ(write(client, request.data(), request.size()), static_cast<ssize_t>(request.size()));
  char answer[16];
  ASSERT_GT(read(client, answer, sizeof answer), 0);

  const auto fds = sockets_on_port(server->port());
  EXPECT_GE(fds.size(), 2u);  // the listener and the accepted connection
  for (const int fd : fds) EXPECT_NE(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0) << "fd " << fd;
  close(client);
}

}  // namespace
}  // namespace servemeter::sim
