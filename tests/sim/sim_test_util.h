#pragma once
// Helpers for the simulator tests: a tiny blocking HTTP/1.1 client (raw socket, chunked
// decoding), SSE/NDJSON splitting, key-order signatures, and a fast test profile.
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "sim/sim_options.h"

namespace simtest {

struct Response {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;                            // de-chunked
  bool complete = true;  // the terminal chunk (or full content-length) arrived
};

inline std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

inline Response parse_response(const std::string& raw) {
  Response r;
  const auto head_end = raw.find("\r\n\r\n");
  if (head_end == std::string::npos) {
    r.complete = false;
    return r;
  }
  std::istringstream head(raw.substr(0, head_end));
  std::string line;
  std::getline(head, line);
  r.status = std::stoi(line.substr(9, 3));
  while (std::getline(head, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.erase(0, 1);
    r.headers[lower(line.substr(0, colon))] = value;
  }
  std::string rest = raw.substr(head_end + 4);
  if (lower(r.headers["transfer-encoding"]) == "chunked") {
    r.complete = false;
    std::size_t pos = 0;
    while (pos < rest.size()) {
      const auto eol = rest.find("\r\n", pos);
      if (eol == std::string::npos) break;
      const std::size_t len = std::stoul(rest.substr(pos, eol - pos), nullptr, 16);
      if (len == 0) {
        r.complete = true;
        break;
      }
      if (eol + 2 + len > rest.size()) {
        r.body += rest.substr(eol + 2);
        break;
      }
      r.body += rest.substr(eol + 2, len);
      pos = eol + 2 + len + 2;
    }
  } else {
    r.body = rest;
  }
  return r;
}

// Sends one request with Connection: close and reads until the server closes.
inline Response request(std::uint16_t port, const std::string& method, const std::string& path,
                        const std::string& body = "",
                        const std::vector<std::string>& extra_headers = {}) {
  namespace asio = boost::asio;
  asio::io_context ioc;
  asio::ip::tcp::socket sock(ioc);
  sock.connect({asio::ip::make_address("127.0.0.1"), port});
  std::string req = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  for (const auto& h : extra_headers) req += h + "\r\n";
  if (!body.empty() || method == "POST") {
    req +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  req += "\r\n" + body;
  asio::write(sock, asio::buffer(req));
  std::string raw;
  boost::system::error_code ec;
  char buf[65536];
  for (;;) {
    const std::size_t n = sock.read_some(asio::buffer(buf), ec);
    raw.append(buf, n);
    if (ec) break;
  }
  return parse_response(raw);
}

// "data: X\n\n" events of an SSE body (the X parts).
inline std::vector<std::string> sse_events(const std::string& body) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < body.size()) {
    const auto end = body.find("\n\n", pos);
    const std::string ev =
        body.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    if (ev.rfind("data: ", 0) == 0) out.push_back(ev.substr(6));
    if (end == std::string::npos) break;
    pos = end + 2;
  }
  return out;
}

inline std::vector<std::string> ndjson_lines(const std::string& body) {
  std::vector<std::string> out;
  std::istringstream in(body);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

// Key names and order, recursively; scalars reduce to "null" or "v"; arrays to their first
// element's signature.
inline std::string signature(const nlohmann::ordered_json& j) {
  if (j.is_object()) {
    std::string s = "{";
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (s.size() > 1) s += ",";
      s += it.key() + ":" + signature(it.value());
    }
    return s + "}";
  }
  if (j.is_array()) return j.empty() ? "[]" : "[" + signature(j.front()) + "]";
  return j.is_null() ? "null" : "v";
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string fixture(const std::string& rel) {
  return read_file(std::string(SERVEMETER_FIXTURE_DIR) + "/" + rel);
}

// The shipped profiles with short natural outputs (median 6 tokens), so "stop" streams are
// short like the fixtures'.
inline std::string short_output_profiles() {
  std::string yaml = read_file(std::string(SERVEMETER_DATA_DIR) + "/sim_profiles.yaml");
  for (std::size_t pos; (pos = yaml.find("output_len_mean: 200")) != std::string::npos;) {
    yaml.replace(pos, 20, "output_len_mean: 6");
  }
  for (std::size_t pos; (pos = yaml.find("output_len_sigma: 0.6")) != std::string::npos;) {
    yaml.replace(pos, 21, "output_len_sigma: 0.01");
  }
  // One file per process: ctest runs the tests of this binary in parallel processes.
  static const std::string path = [&] {
    const std::string p =
        testing::TempDir() + "/sim_profiles_short." + std::to_string(::getpid()) + ".yaml";
    std::ofstream(p) << yaml;
    return p;
  }();
  return path;
}

inline servemeter::sim::SimOptions fast_options(const std::string& profile) {
  servemeter::sim::SimOptions o;
  o.profile = profile;
  o.port = 0;
  o.time_scale = 200;
  o.profiles_file = short_output_profiles();
  return o;
}

}  // namespace simtest
