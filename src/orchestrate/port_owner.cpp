#include "orchestrate/port_owner.h"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace servemeter {
namespace {

constexpr std::size_t kMaxCommand = 160;

// inode -> uid of every socket listening on `port`, from one /proc/net/tcp-style table.
void listening_inodes(const char* table, int port, std::map<unsigned long, long>& found) {
  std::ifstream in(table);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state, queues, timer, retransmits;
    long uid = -1;
    int timeout = 0;
    unsigned long inode = 0;
    if (!(fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >>
          timeout >> inode))
      continue;
    const auto colon = local.rfind(':');
    if (colon == std::string::npos || state != "0A") continue;  // 0A: TCP_LISTEN
    if (std::strtol(local.c_str() + colon + 1, nullptr, 16) == port) found[inode] = uid;
  }
}

std::string command_line(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::string raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!raw.empty() && raw.back() == '\0') raw.pop_back();
  for (char& c : raw)
    if (c == '\0' || c == '\n') c = ' ';
  if (raw.size() > kMaxCommand) raw = raw.substr(0, kMaxCommand) + "…";
  return raw;
}

}  // namespace

std::optional<PortOwner> find_port_owner(int port) {
  std::map<unsigned long, long> inodes;
  listening_inodes("/proc/net/tcp", port, inodes);
  listening_inodes("/proc/net/tcp6", port, inodes);
  if (inodes.empty()) return std::nullopt;
  PortOwner owner;
  owner.uid = inodes.begin()->second;
  std::error_code ec;
  for (const auto& process : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = process.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::error_code fd_ec;
    for (const auto& fd : std::filesystem::directory_iterator(process.path() / "fd", fd_ec)) {
      std::error_code link_ec;
      const std::string target = std::filesystem::read_symlink(fd.path(), link_ec).string();
      if (link_ec || target.rfind("socket:[", 0) != 0) continue;
      const unsigned long inode = std::strtoul(target.c_str() + 8, nullptr, 10);
      if (const auto it = inodes.find(inode); it != inodes.end()) {
        owner.pid = std::strtol(name.c_str(), nullptr, 10);
        owner.uid = it->second;
        owner.command = command_line(owner.pid);
        return owner;
      }
    }
  }
  return owner;
}

PortCheck check_port(const std::string& host, int port) {
  PortCheck check;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* addresses = nullptr;
  const std::string service = std::to_string(port);
  if (const int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &addresses); rc != 0) {
    check.error = "cannot resolve '" + host + "': " + gai_strerror(rc);
    return check;
  }
  for (const addrinfo* a = addresses; a != nullptr; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    const int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    const bool bound = ::bind(fd, a->ai_addr, a->ai_addrlen) == 0;
    const int error = errno;
    ::close(fd);
    if (bound) {
      check.error.clear();
      break;
    }
    if (error == EADDRINUSE) {
      check.free = false;
      check.owner = find_port_owner(port);
      break;
    }
    check.error = "cannot bind " + host + ":" + service + ": " + std::strerror(error);
  }
  freeaddrinfo(addresses);
  return check;
}

std::string port_in_use_message(int port, const std::optional<PortOwner>& owner) {
  const std::string p = std::to_string(port);
  if (owner && owner->pid > 0)
    return "port " + p + " is already in use by pid " + std::to_string(owner->pid) + " (" +
           (owner->command.empty() ? "command unknown" : owner->command) +
           "): stop that process (kill " + std::to_string(owner->pid) +
           ") or give the framework another port in your presets";
  const std::string who =
      owner && owner->uid >= 0 ? " (a process of uid " + std::to_string(owner->uid) + ")" : "";
  return "port " + p + " is already in use by another process" + who +
         " that this user cannot see; find it with `ss -ltnp 'sport = :" + p +
         "'` as root and stop it, or give the framework another port in your presets";
}

}  // namespace servemeter
