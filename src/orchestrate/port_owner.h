#pragma once
// Is a server's port free, and if not, who holds it? Read from /proc (the kernel's socket
// tables and every visible process's open files), so no external tool is needed.
#include <optional>
#include <string>

namespace servemeter {

struct PortOwner {
  long pid = 0;         // 0: the socket's owner is not visible to this user
  long uid = -1;        // the socket's owner, from the socket table
  std::string command;  // its command line (arguments joined by spaces, cut), when visible
};

struct PortCheck {
  bool free = true;
  std::string error;  // why the port could not be checked (free is then true: we do not know)
  std::optional<PortOwner> owner;  // when taken: the listening process, if it can be found
};

// Can `host`:`port` be bound now (with SO_REUSEADDR, as servers bind)? Never throws.
PortCheck check_port(const std::string& host, int port);

// The process listening on TCP `port` (any address), from /proc/net/tcp{,6} and /proc/*/fd.
std::optional<PortOwner> find_port_owner(int port);

// "port 8000 is already in use by pid 1234 (python3 -m …): stop it (kill 1234) or …"
std::string port_in_use_message(int port, const std::optional<PortOwner>& owner);

}  // namespace servemeter
