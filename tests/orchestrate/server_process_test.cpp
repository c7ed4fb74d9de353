// Starting and stopping server processes, with small shell scripts standing in for servers.
#include "orchestrate/server_process.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "orchestrate/presets.h"
#include "orchestrate/server_ready.h"
#include "support/lifecycle_helpers.h"
#include "support/temp_dir.h"

namespace servemeter {
namespace {

using namespace std::chrono_literals;
using testsupport::eventually;
using testsupport::read_text;
using testsupport::write_script;

FrameworkPreset preset_from(const std::string& yaml) {
  Presets presets;
  merge_presets_text(presets, "frameworks:\n  test:\n    api: openai-chat\n" + yaml, "test.yaml");
  return presets.frameworks.at("test");
}

ServerStartOptions options_for(const LaunchSpec& spec, const std::filesystem::path& dir,
                               int port = 0) {
  ServerStartOptions options;
  options.framework = "test";
  options.launch = spec;
  options.port = port;
  options.log_file = dir / "results" / "test" / "server.log";
  return options;
}

std::string start_error(const ServerStartOptions& options) {
  try {
    auto process = ServerProcess::start(options);
  } catch (const ServerStartError& e) {
    return e.what();
  }
  return "(started)";
}

TEST(ServerProcess, ShellCharactersInPresetArgumentsStayLiteral) {
  const testsupport::TempDir dir;
  std::filesystem::create_directories(dir / "keep-me");
  const auto script =
      write_script(dir / "print-args", "for a in \"$@\"; do printf '[%s]\\n' \"$a\"; done\n");
  const FrameworkPreset preset = preset_from(
      "    command: [\"" + script.string() +
      "\", \"$(touch pwned)\", \";rm -rf keep-me\", \"a b\", \"`id`\", \"*\", \"{model}\"]\n"
      "    working_dir: \"" +
      dir.string() + "\"\n");
  auto server = ServerProcess::start(options_for(launch_spec(preset, {"m|x & y", {}, 1, {}}), dir));
  ASSERT_TRUE(eventually([&] { return server->poll().has_value(); }));
  EXPECT_EQ(server->poll()->describe(), "exited with status 0");
  const std::string log = read_text(server->log_file());
  EXPECT_NE(log.find("[$(touch pwned)]\n[;rm -rf keep-me]\n[a b]\n[`id`]\n[*]\n[m|x & y]\n"),
            std::string::npos)
      << log;
  EXPECT_FALSE(std::filesystem::exists(dir / "pwned"));
  EXPECT_TRUE(std::filesystem::exists(dir / "keep-me"));
}

TEST(ServerProcess, RunsInTheVenvWorkingDirectoryAndEnvironmentOfItsPreset) {
  const testsupport::TempDir dir;
  write_script(dir / "envs" / "fw" / "bin" / "fake-server",
               "echo \"VIRTUAL_ENV=$VIRTUAL_ENV\"\necho \"FIRST_PATH=${PATH%%:*}\"\n"
               "echo \"PWD=$(pwd)\"\necho \"BIND=$FAKE_BIND\"\necho \"ARG=$1\"\n");
  const FrameworkPreset preset = preset_from(
      "    command: [fake-server, \"{port}\"]\n"
      "    venv: envs/fw\n"
      "    working_dir: \"" +
      dir.string() +
      "\"\n"
      "    env: {FAKE_BIND: \"{host}:{port}\"}\n"
      "    port: 4321\n");
  auto server = ServerProcess::start(options_for(launch_spec(preset, {"m", {}, 0, {}}), dir));
  ASSERT_TRUE(eventually([&] { return server->poll().has_value(); }));
  const std::string log = read_text(server->log_file());
  EXPECT_NE(log.find("VIRTUAL_ENV=" + (dir / "envs/fw").string() + "\n"), std::string::npos) << log;
  EXPECT_NE(log.find("FIRST_PATH=" + (dir / "envs/fw/bin").string() + "\n"), std::string::npos)
      << log;
  EXPECT_NE(log.find("PWD=" + dir.string() + "\n"), std::string::npos) << log;
  EXPECT_NE(log.find("BIND=127.0.0.1:4321\n"), std::string::npos) << log;
  EXPECT_NE(log.find("ARG=4321\n"), std::string::npos) << log;
  // The log starts each run with the command, so a file that accumulates stays readable.
  EXPECT_NE(log.find("==== servemeter: starting test server: cd "), std::string::npos) << log;
}

TEST(ServerProcess, CommandNotFoundIsNamed) {
  const testsupport::TempDir dir;
  const std::string error = start_error(
      options_for(LaunchSpec{{"servemeter-no-such-server", "--port", "1"}, {}, {}, {}}, dir));
  EXPECT_NE(error.find("command not found"), std::string::npos) << error;
  EXPECT_NE(error.find("'servemeter-no-such-server'"), std::string::npos) << error;
  EXPECT_NE(error.find("fix 'command'"), std::string::npos) << error;

  std::ofstream(dir / "not-a-program") << "data";
  const std::string path_error =
      start_error(options_for(LaunchSpec{{(dir / "not-a-program").string()}, {}, {}, {}}, dir));
  EXPECT_NE(path_error.find("not an executable file"), std::string::npos) << path_error;
}

TEST(ServerProcess, MissingVenvIsNamed) {
  const testsupport::TempDir dir;
  const std::string error =
      start_error(options_for(LaunchSpec{{"sh"}, {}, {}, dir / "vllm/vllm_env"}, dir));
  EXPECT_NE(error.find("virtual environment " + (dir / "vllm/vllm_env").string()),
            std::string::npos)
      << error;
}

TEST(ServerProcess, PortTakenNamesThePortAndTheProcess) {
  const testsupport::TempDir dir;
  const testsupport::ListeningSocket taken;
  const std::string error =
      start_error(options_for(LaunchSpec{{"sh", "-c", "exit 0"}, {}, {}, {}}, dir, taken.port()));
  EXPECT_NE(error.find("port " + std::to_string(taken.port()) + " is already in use by pid " +
                       std::to_string(::getpid())),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("kill " + std::to_string(::getpid())), std::string::npos) << error;
}

TEST(ServerProcess, StopTerminatesTheWholeProcessGroup) {
  const testsupport::TempDir dir;
  const auto script = write_script(dir / "srv", "sleep 300 &\necho $! > \"$1\"\nwait\n");
  auto server = ServerProcess::start(
      options_for(LaunchSpec{{script.string(), (dir / "child.pid").string()}, {}, {}, {}}, dir));
  ASSERT_TRUE(eventually([&] { return !read_text(dir / "child.pid").empty(); }));
  const long child = std::stol(read_text(dir / "child.pid"));
  ASSERT_TRUE(testsupport::process_alive(child));
  const StopReport report = server->stop(10s);
  EXPECT_FALSE(report.already_ended);
  EXPECT_FALSE(report.sigkill_needed);
  EXPECT_EQ(report.end.signal, SIGTERM) << report.describe();
  EXPECT_FALSE(testsupport::process_alive(child));
  EXPECT_NE(report.describe().find("stopped after SIGTERM"), std::string::npos)
      << report.describe();
  // Idempotent: the second call reports the same and signals nothing.
  EXPECT_EQ(server->stop().end.signal, SIGTERM);
}

TEST(ServerProcess, AServerIgnoringSigtermIsKilledAfterTheGracePeriod) {
  const testsupport::TempDir dir;
  const auto script =
      write_script(dir / "stubborn", "trap '' TERM\necho ready\nwhile :; do sleep 1; done\n");
  auto server = ServerProcess::start(options_for(LaunchSpec{{script.string()}, {}, {}, {}}, dir));
  ASSERT_TRUE(eventually([&] { return server->last_log_line() == "ready"; }));
  const StopReport report = server->stop(300ms);
  EXPECT_TRUE(report.sigkill_needed);
  EXPECT_EQ(report.end.signal, SIGKILL);
  EXPECT_NE(report.describe().find("SIGKILL"), std::string::npos) << report.describe();
}

TEST(ServerProcess, StopUsesTheStartOptionsGraceAndASecondInterruptKillsAtOnce) {
  const testsupport::TempDir dir;
  const auto script =
      write_script(dir / "stubborn", "trap '' TERM\necho ready\nwhile :; do sleep 1; done\n");
  ServerStartOptions options = options_for(LaunchSpec{{script.string()}, {}, {}, {}}, dir);
  options.stop_grace = 200ms;
  auto server = ServerProcess::start(options);
  ASSERT_TRUE(eventually([&] { return server->last_log_line() == "ready"; }));
  EXPECT_TRUE(server->stop().sigkill_needed);

  // With a grace period longer than the test's own time limit, only the interrupt ends it.
  volatile std::sig_atomic_t level = 2;
  options.stop_grace = std::chrono::hours(1);
  options.interrupt = &level;
  auto hurried = ServerProcess::start(options);
  ASSERT_TRUE(eventually([&] { return hurried->last_log_line() == "ready"; }));
  const StopReport report = hurried->stop();
  EXPECT_TRUE(report.sigkill_needed);
  EXPECT_EQ(report.end.signal, SIGKILL);
}

TEST(ServerProcess, DestructorStopsTheServer) {
  const testsupport::TempDir dir;
  pid_t pid = 0;
  {
    auto server = ServerProcess::start(options_for(LaunchSpec{{"sleep", "300"}, {}, {}, {}}, dir));
    pid = server->pid();
    ASSERT_TRUE(testsupport::process_alive(pid));
  }
  EXPECT_FALSE(testsupport::process_alive(pid));
}

TEST(ServerProcess, TheSignalPathTerminatesRunningServers) {
  const testsupport::TempDir dir;
  auto server = ServerProcess::start(options_for(LaunchSpec{{"sleep", "300"}, {}, {}, {}}, dir));
  terminate_started_servers_from_signal();
  ASSERT_TRUE(eventually([&] { return server->poll().has_value(); }));
  EXPECT_EQ(server->poll()->signal, SIGTERM);
  EXPECT_EQ(server->poll()->describe(), "was killed by signal 15 (SIGTERM)");
  EXPECT_TRUE(server->stop().already_ended);
}

TEST(ServerProcess, ServerStartsWithDefaultSignalsEvenWhenOursAreIgnored) {
  const testsupport::TempDir dir;
  struct sigaction ignore {
  }, previous{};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGTERM, &ignore, &previous);
  auto server = ServerProcess::start(options_for(LaunchSpec{{"sleep", "300"}, {}, {}, {}}, dir));
  sigaction(SIGTERM, &previous, nullptr);
  const StopReport report = server->stop(10s);
  EXPECT_FALSE(report.sigkill_needed);
  EXPECT_EQ(report.end.signal, SIGTERM);
}

TEST(ServerProcess, FileTailKeepsTheLastLines) {
  const testsupport::TempDir dir;
  {
    std::ofstream out(dir / "log");
    for (int i = 1; i <= 30; ++i) out << "line " << i << "\n";
    out << "\n";
  }
  EXPECT_EQ(file_tail(dir / "log", 3), "line 28\nline 29\nline 30");
  EXPECT_EQ(file_tail(dir / "log", 1, 12), "line 30");
  EXPECT_EQ(file_tail(dir / "missing", 3), "");
}

TEST(ServerReady, AServerThatExitsWhileLoadingIsReportedWithItsLog) {
  const testsupport::TempDir dir;
  const auto script = write_script(
      dir / "crash", "echo loading weights\necho 'CUDA out of memory' >&2\nsleep 0.3\nexit 1\n");
  auto server = ServerProcess::start(options_for(LaunchSpec{{script.string()}, {}, {}, {}}, dir));
  ReadyWaitOptions options;
  options.base_url = "http://127.0.0.1:" + std::to_string(testsupport::free_port());
  options.health_path = "/health";
  options.timeout_s = 120;
  const ReadyResult result = wait_until_ready(*server, options);
  EXPECT_EQ(result.outcome, ReadyOutcome::exited);
  EXPECT_TRUE(result.end.exited);
  EXPECT_EQ(result.end.exit_status, 1);
  EXPECT_NE(result.message.find("exited with status 1"), std::string::npos) << result.message;
  EXPECT_NE(result.message.find("loading weights\nCUDA out of memory"), std::string::npos)
      << result.message;
}

TEST(ServerReady, AServerThatNeverAnswersTimesOutWithTheLogTail) {
  const testsupport::TempDir dir;
  const auto script =
      write_script(dir / "slow", "echo 'Loading safetensors shards: 3%'\nexec sleep 300\n");
  auto server = ServerProcess::start(options_for(LaunchSpec{{script.string()}, {}, {}, {}}, dir));
  ASSERT_TRUE(eventually([&] { return !server->last_log_line().empty(); }));
  ReadyWaitOptions options;
  options.base_url = "http://127.0.0.1:" + std::to_string(testsupport::free_port());
  options.health_path = "/health";
  options.timeout_s = 1;
  options.poll_interval_s = 0.1;
  std::ostringstream progress;
  options.progress = &progress;
  options.progress_every_s = 0.2;
  const ReadyResult result = wait_until_ready(*server, options);
  EXPECT_EQ(result.outcome, ReadyOutcome::timed_out);
  EXPECT_NE(result.message.find("did not become healthy within 1 s"), std::string::npos)
      << result.message;
  EXPECT_NE(result.message.find("health_timeout_s"), std::string::npos) << result.message;
  EXPECT_NE(result.message.find("Loading safetensors shards: 3%"), std::string::npos)
      << result.message;
  EXPECT_NE(progress.str().find("waiting for the test server (pid " +
                                std::to_string(server->pid()) + ") to load"),
            std::string::npos)
      << progress.str();
  EXPECT_NE(progress.str().find("log: Loading safetensors shards: 3%"), std::string::npos)
      << progress.str();
}

TEST(ServerReady, AnInterruptEndsTheWait) {
  const testsupport::TempDir dir;
  auto server = ServerProcess::start(options_for(LaunchSpec{{"sleep", "300"}, {}, {}, {}}, dir));
  volatile std::sig_atomic_t level = 1;
  ReadyWaitOptions options;
  options.base_url = "http://127.0.0.1:" + std::to_string(testsupport::free_port());
  options.timeout_s = 600;
  options.stop = &level;
  EXPECT_EQ(wait_until_ready(*server, options).outcome, ReadyOutcome::interrupted);
}

}  // namespace
}  // namespace servemeter
