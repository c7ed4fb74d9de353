// How the simulator reads requests: pipelined and split requests, garbage, and the truth log's
// arrival time taken from the kernel.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <thread>

#include "core/clock.h"
#include "sim/sim_server.h"
#include "sim_test_util.h"

namespace {

namespace asio = boost::asio;
using nlohmann::json;
using servemeter::monotonic_ns;
using servemeter::sim::SimOptions;
using servemeter::sim::SimServer;
using namespace simtest;

const std::string kBody =
    R"({"model":"meta-llama/Llama-3.1-8B-Instruct","prompt":"Hi","max_tokens":3,"ignore_eos":true,"stream":true})";

std::string completion_request(const std::string& extra_headers = "") {
  return "POST /v1/completions HTTP/1.1\r\nHost: x\r\n" + extra_headers +
         "Content-Length: " + std::to_string(kBody.size()) + "\r\n\r\n" + kBody;
}

// Everything the server sends until it closes the connection.
std::string read_to_close(asio::ip::tcp::socket& sock) {
  std::string raw;
  char buf[4096];
  boost::system::error_code ec;
  while (!ec) raw.append(buf, sock.read_some(asio::buffer(buf), ec));
  return raw;
}

int count(const std::string& text, const std::string& what) {
  int n = 0;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}

TEST(SimIntake, AnswersTwoRequestsSentInOneWrite) {
  auto server = SimServer::start(fast_options("vllm"));
  asio::io_context ioc;
  asio::ip::tcp::socket sock(ioc);
  sock.connect({asio::ip::make_address("127.0.0.1"), server->port()});
  asio::write(sock,
              asio::buffer(completion_request() + completion_request("Connection: close\r\n")));
  const std::string raw = read_to_close(sock);
  EXPECT_EQ(count(raw, "HTTP/1.1 200 OK"), 2) << raw;
  EXPECT_EQ(count(raw, "data: [DONE]"), 2) << raw;
}

TEST(SimIntake, ArrivalIsWhenTheLastPartOfASplitRequestCame) {
  const std::string path =
      testing::TempDir() + "/intake_truth." + std::to_string(::getpid()) + ".jsonl";
  SimOptions o = fast_options("vllm");
  o.time_scale = 1;
  o.ttft_ms = 2;
  o.itl_ms = 1;
  o.truth_log = path;
  auto server = SimServer::start(o);
  asio::io_context ioc;
  asio::ip::tcp::socket sock(ioc);
  sock.connect({asio::ip::make_address("127.0.0.1"), server->port()});
  const std::string req = completion_request("Connection: close\r\n");
  const std::size_t cut = req.size() - 10;
  asio::write(sock, asio::buffer(req.data(), cut));
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  const std::int64_t before_rest = monotonic_ns();
  asio::write(sock, asio::buffer(req.data() + cut, req.size() - cut));
  const std::string raw = read_to_close(sock);
  EXPECT_EQ(count(raw, "data: [DONE]"), 1) << raw;
  server->stop();
  const auto lines = ndjson_lines(read_file(path));
  ASSERT_EQ(lines.size(), 1u);
  const json t = json::parse(lines[0]);
  const auto arrival = t["arrival_ns"].get<std::int64_t>();
  EXPECT_GE(arrival, before_rest - 100'000);  // not when the head came, 30 ms earlier
  EXPECT_LE(arrival, t["read_ns"].get<std::int64_t>());
  EXPECT_GE(t["first_token_ns"].get<std::int64_t>() - arrival, 2'000'000);  // --ttft-ms 2
}

TEST(SimIntake, ReadsARequestWhoseHeadComesInPieces) {
  auto server = SimServer::start(fast_options("vllm"));
  asio::io_context ioc;
  asio::ip::tcp::socket sock(ioc);
  sock.connect({asio::ip::make_address("127.0.0.1"), server->port()});
  const std::string req = completion_request("Connection: close\r\n");
  // Cuts inside the request line and inside a header name: the parser must keep them.
  const std::size_t cuts[] = {0, 7, 30, req.size()};
  for (std::size_t i = 0; i + 1 < std::size(cuts); ++i) {
    asio::write(sock, asio::buffer(req.data() + cuts[i], cuts[i + 1] - cuts[i]));
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const std::string raw = read_to_close(sock);
  EXPECT_EQ(count(raw, "HTTP/1.1 200 OK"), 1) << raw;
  EXPECT_EQ(count(raw, "data: [DONE]"), 1) << raw;
}

TEST(SimIntake, ClosesAConnectionThatDoesNotSpeakHttp) {
  auto server = SimServer::start(fast_options("vllm"));
  asio::io_context ioc;
  asio::ip::tcp::socket sock(ioc);
  sock.connect({asio::ip::make_address("127.0.0.1"), server->port()});
  asio::write(sock, asio::buffer(std::string("\x16\x03\x01 not http at all\r\n\r\n")));
  EXPECT_EQ(read_to_close(sock), "");
  // The server keeps serving others.
  EXPECT_EQ(request(server->port(), "GET", "/health").status, 200);
}

}  // namespace
