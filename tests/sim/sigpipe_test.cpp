// The simulator writing into a connection whose client has gone must not raise SIGPIPE (its
// default action kills the process): it ends that stream and serves on.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "sim/sim_server.h"
#include "sim_test_util.h"
#include "support/sigpipe_counter.h"

namespace {

using nlohmann::json;
using servemeter::sim::SimOptions;
using servemeter::sim::SimServer;
using namespace simtest;

TEST(SimSigpipe, StreamingToAClientThatLeftEndsTheStreamOnly) {
  const servemeter::testsupport::SigpipeCounter sigpipes;
  const std::string path =
      testing::TempDir() + "/sigpipe_truth." + std::to_string(::getpid()) + ".jsonl";
  SimOptions o = fast_options("vllm");
  o.time_scale = 1;
  o.ttft_ms = 1;
  o.itl_ms = 1;
  o.truth_log = path;
  auto server = SimServer::start(o);
  const std::string body =
      R"({"model":"meta-llama/Llama-3.1-8B-Instruct","messages":[{"role":"user","content":"Hi"}],)"
      R"("max_tokens":20000,"ignore_eos":true,"stream":true})";
  {
    namespace asio = boost::asio;
    asio::io_context ioc;
    asio::ip::tcp::socket sock(ioc);
    sock.connect({asio::ip::make_address("127.0.0.1"), server->port()});
    asio::write(sock, asio::buffer("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
                                   "Content-Type: application/json\r\nContent-Length: " +
                                   std::to_string(body.size()) + "\r\n\r\n" + body));
    char buf[4096];
    sock.read_some(asio::buffer(buf));  // the stream has started
  }  // closed: the simulator's next writes meet a closed connection
  // The truth line of the stream appears (flushed every second) once the simulator gave up on it.
  std::vector<std::string> lines;
  for (int waited = 0; waited < 10'000 && lines.empty(); waited += 50) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    lines = ndjson_lines(read_file(path));
  }
  ASSERT_EQ(lines.size(), 1u);
  const json truth = json::parse(lines[0]);
  EXPECT_LT(truth["output_tokens"].get<int>(), 20000);
  // Still serving.
  const Response after = request(server->port(), "GET", "/health");
  EXPECT_EQ(after.status, 200);
  server->stop();
  EXPECT_EQ(sigpipes.count(), 0);
}

}  // namespace
