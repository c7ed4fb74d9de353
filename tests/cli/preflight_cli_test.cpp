// `servemeter preflight`: one line per check, a summary, and exit 12 when anything failed.
#include <gtest/gtest.h>

#include <fstream>

#include "cli/exit_codes.h"
#include "support/lifecycle_helpers.h"
#include "support/run_process.h"
#include "support/temp_dir.h"

namespace servemeter {
namespace {

using testsupport::run_process;

TEST(PreflightCli, AFailedCheckGivesItsExitCode) {
  const testsupport::TempDir dir;
  std::ofstream(dir / "p.yaml") << "frameworks:\n  llamacpp:\n    port: "
                                << testsupport::free_port() << "\n";
  const auto r =
      run_process({SERVEMETER_BINARY, "preflight", "--framework", "llamacpp", "--model-path",
                   (dir / "no-such.gguf").string(), "--presets", (dir / "p.yaml").string(),
                   "--results-dir", (dir / "results").string()},
                  120, {"PATH=/usr/bin:/bin"});
  EXPECT_EQ(r.exit_code, exit_code::kPreflightFailed) << r.out << r.err;
  EXPECT_NE(r.out.find("servemeter pre-flight: llamacpp; model gpt-oss-20b"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("FAIL  llamacpp model: model file '" + (dir / "no-such.gguf").string() +
                       "' not found"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("FAIL  llamacpp command: 'llama-server' not found on PATH"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("OK    llamacpp port: port "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\npre-flight: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" 2 FAIL\n"), std::string::npos) << r.out;
}

TEST(PreflightCli, WarningsAloneExitZero) {
  const testsupport::TempDir dir;
  std::ofstream(dir / "p.yaml") << "frameworks:\n  mine:\n    api: openai-chat\n    port: "
                                << testsupport::free_port()
                                << "\n    command: [sh, -c, \"exit 0\"]\n"
                                   "    check_command: [sh, -c, \"echo ok\"]\n";
  const auto r =
      run_process({SERVEMETER_BINARY, "preflight", "--framework", "mine", "--presets",
                   (dir / "p.yaml").string(), "--results-dir", (dir / "results").string()});
  EXPECT_EQ(r.exit_code, exit_code::kOk) << r.out << r.err;
  EXPECT_NE(r.out.find("OK    mine command: sh is "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" 0 FAIL\n"), std::string::npos) << r.out;
}

// The README's command, as written there.
TEST(PreflightCli, TheReadmeCommandChecksEveryFrameworkOfAll) {
  const testsupport::TempDir dir;
  const auto r =
      run_process({SERVEMETER_BINARY, "preflight", "--framework", "all", "--model", "gpt-oss-20b"},
                  300, {"HF_HUB_CACHE=" + (dir / "hub").string()});
  EXPECT_TRUE(r.exit_code == exit_code::kOk || r.exit_code == exit_code::kPreflightFailed)
      << r.exit_code << r.out << r.err;
  for (const char* line :
       {"GPU: ", "disk: ", "sglang model: ", "sglang command: ", "sglang port: ", "vllm model: ",
        "vllm command: ", "vllm port: ", "ollama model: ", "ollama command: ", "ollama port: "})
    EXPECT_NE(r.out.find(line), std::string::npos) << line << "\n" << r.out;
  EXPECT_NE(r.out.find("sglang model: openai/gpt-oss-20b is not in the Hugging Face cache"),
            std::string::npos)
      << r.out;
}

TEST(PreflightCli, UnknownFrameworkIsAUsageError) {
  const auto r = run_process({SERVEMETER_BINARY, "preflight", "--framework", "vllm,tgi"});
  EXPECT_EQ(r.exit_code, exit_code::kUsage);
  EXPECT_NE(r.err.find("unknown framework 'tgi'"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace servemeter
