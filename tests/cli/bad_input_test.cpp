// Bad input from the command line or the environment: one clear line naming the bad value and
// what to do, and a documented exit code (README: Exit codes).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "cli/exit_codes.h"
#include "support/run_process.h"
#include "support/temp_dir.h"

namespace servemeter {
namespace {

using testsupport::run_process;

// A loopback port with nothing listening: bind, read the port, close.
int unused_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

TEST(BadInput, UnknownFrameworkIsNamedWithTheChoices) {
  const auto r = run_process({SERVEMETER_BINARY, "run", "--framework", "vllmm"});
  EXPECT_EQ(r.exit_code, exit_code::kUsage);
  EXPECT_NE(r.err.find("'vllmm'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("sglang"), std::string::npos) << r.err;
}

TEST(BadInput, UnknownApiIsNamed) {
  const auto r = run_process({SERVEMETER_BINARY, "run", "--api", "grpc"});
  EXPECT_EQ(r.exit_code, exit_code::kUsage);
  EXPECT_NE(r.err.find("'grpc'"), std::string::npos) << r.err;
}

TEST(BadInput, MalformedUrlIsNamed) {
  for (const char* url : {"127.0.0.1:8000", "ftp://x", "http://", "http://h:8000/v1"}) {
    const auto r = run_process({SERVEMETER_BINARY, "run", "--base-url", url});
    EXPECT_EQ(r.exit_code, exit_code::kUsage) << url;
    EXPECT_NE(r.err.find(url), std::string::npos) << r.err;
  }
}

TEST(BadInput, NonNumericFlagIsUsageError) {
  const auto r = run_process({SERVEMETER_BINARY, "run", "--concurrency", "many"});
  EXPECT_EQ(r.exit_code, exit_code::kUsage);
  EXPECT_NE(r.err.find("many"), std::string::npos) << r.err;
}

TEST(BadInput, CacertThatIsNotAFileIsNamed) {
  const auto r = run_process({SERVEMETER_BINARY, "run", "--cacert", "/no/such/ca.pem"});
  EXPECT_EQ(r.exit_code, exit_code::kUsage);
  EXPECT_NE(r.err.find("/no/such/ca.pem"), std::string::npos) << r.err;
}

TEST(BadInput, UnreachableServerNamesUrlAndStartCommand) {
  const auto url = "http://127.0.0.1:" + std::to_string(unused_port());
  const testsupport::TempDir dir;
  const auto r = run_process({SERVEMETER_BINARY, "run", "--framework", "vllm", "--base-url", url,
                              "--results-dir", dir.string()});
  EXPECT_EQ(r.exit_code, exit_code::kServerUnavailable);
  EXPECT_NE(r.err.find(url + "/health"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("vllm serve openai/gpt-oss-20b"), std::string::npos) << r.err;
}

TEST(BadInput, UnwritableResultsFolderStopsBeforeRunning) {
  const testsupport::TempDir dir;
  std::ofstream(dir / "file") << "x";
  const auto r = run_process({SERVEMETER_BINARY, "run", "--simulate", "--num-requests", "1",
                              "--results-dir", (dir / "file" / "results").string()});
  EXPECT_EQ(r.exit_code, exit_code::kOutputUnwritable);
  EXPECT_NE(r.err.find((dir / "file" / "results").string()), std::string::npos) << r.err;
}

TEST(BadInput, MalformedPresetsFileIsNamed) {
  const testsupport::TempDir dir;
  std::ofstream(dir / "p.yaml") << "frameworks: [oops\n";
  const auto r = run_process({SERVEMETER_BINARY, "run", "--presets", (dir / "p.yaml").string()});
  EXPECT_EQ(r.exit_code, exit_code::kPresetError);
  EXPECT_NE(r.err.find((dir / "p.yaml").string()), std::string::npos) << r.err;
}

TEST(BadInput, NoSubcommandPrintsUsage) {
  const auto r = run_process({SERVEMETER_BINARY});
  EXPECT_EQ(r.exit_code, exit_code::kUsage);
  EXPECT_NE(r.err.find("run"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace servemeter
