// Hostile input from the command line and the environment, through the real binary against its
// built-in simulator (issue 9): bytes that are not UTF-8 in flag values, output paths that cannot
// be written (found before the first request), presets files of the wrong shape, an open-files
// limit too low for the concurrency, a huge run stopped with Ctrl-C, and a server that wants an
// API key. Every case ends with a documented exit code (README: Exit codes) and a message naming
// what is wrong; none aborts.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli/exit_codes.h"
#include "core/text.h"
#include "http/fake_server.h"
#include "support/run_process.h"
#include "support/temp_dir.h"

namespace servemeter {
namespace {

namespace fs = std::filesystem;
using testsupport::Child;
using testsupport::ProcessResult;
using testsupport::run_process;
using testsupport::TempDir;

// Not a model preset: the approximate tokenizer, so the binary starts in milliseconds.
constexpr const char* kModel = "hostile-test";

std::vector<std::string> sim_run(const fs::path& results_dir, const std::string& model,
                                 const std::vector<std::string>& extra = {},
                                 const std::string& num_requests = "3") {
  std::vector<std::string> args = {SERVEMETER_BINARY,
                                   "run",
                                   "--simulate",
                                   "--sim-time-scale",
                                   "1000",
                                   "--no-progress",
                                   "--num-requests",
                                   num_requests,
                                   "--warmup",
                                   "0",
                                   "--input-tokens",
                                   "16",
                                   "--output-tokens",
                                   "4",
                                   "--model",
                                   model,
                                   "--results-dir",
                                   results_dir.string()};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<fs::path> files_under(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return out;
  for (const auto& e : fs::recursive_directory_iterator(dir, ec))
    if (e.is_regular_file()) out.push_back(e.path());
  return out;
}

// Request lines in every raw log under `dir`: none means nothing was measured.
int request_lines_under(const fs::path& dir) {
  int n = 0;
  for (const auto& f : files_under(dir))
    if (f.string().ends_with("_requests.jsonl")) {
      std::istringstream in(read_bytes(f));
      for (std::string line; std::getline(in, line);)
        n += line.find(R"("type":"request")") != std::string::npos;
    }
  return n;
}

// Never an abort, an escaping exception or the top-level "internal error" handler.
void expect_no_crash(const ProcessResult& r) {
  EXPECT_NE(r.exit_code, 134) << r.err;
  EXPECT_NE(r.exit_code, exit_code::kInternalError) << r.err;
  EXPECT_EQ(r.err.find("terminate"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
}

// Every results file and raw log under `dir` is valid UTF-8 and parses (JSONL: line by line, whole
// lines only). Returns the results files.
std::vector<nlohmann::json> expect_valid_utf8_outputs(const fs::path& dir) {
  std::vector<nlohmann::json> results;
  for (const auto& f : files_under(dir)) {
    const std::string bytes = read_bytes(f);
    EXPECT_TRUE(is_valid_utf8(bytes)) << f;
    if (f.string().ends_with("_results.json")) {
      try {
        results.push_back(nlohmann::json::parse(bytes));
      } catch (const std::exception& e) {
        ADD_FAILURE() << f << ": " << e.what();
      }
    } else if (f.string().ends_with(".jsonl")) {
      EXPECT_TRUE(bytes.ends_with("\n")) << f;
      std::istringstream in(bytes);
      for (std::string line; std::getline(in, line);)
        EXPECT_TRUE(nlohmann::json::accept(line)) << f << ": " << line;
    }
  }
  return results;
}

// --- 1. Bytes that are not UTF-8 in command-line values --------------------------------------

TEST(HostileInput, ModelThatIsNotUtf8IsRefusedNamingTheFlag) {
  const TempDir dir;
  const auto r = run_process(sim_run(dir / "results", "gpt\xff"), 60);
  expect_no_crash(r);
  EXPECT_EQ(r.exit_code, exit_code::kUsage) << r.err;
  EXPECT_NE(r.err.find("--model 'gpt\xEF\xBF\xBD' is not valid UTF-8"), std::string::npos) << r.err;
  EXPECT_EQ(request_lines_under(dir.path()), 0);
}

TEST(HostileInput, SystemPromptThatIsNotUtf8IsRefusedNamingTheFlag) {
  const TempDir dir;
  const auto r =
      run_process(sim_run(dir / "results", kModel, {"--system-prompt", "be \xff\xfe brief"}), 60);
  expect_no_crash(r);
  EXPECT_EQ(r.exit_code, exit_code::kUsage) << r.err;
  EXPECT_NE(r.err.find("--system-prompt 'be "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("is not valid UTF-8"), std::string::npos) << r.err;
  EXPECT_EQ(request_lines_under(dir.path()), 0);
}

TEST(HostileInput, ScenarioFileSystemPromptThatIsNotUtf8IsRefusedNamingFileAndCell) {
  const TempDir dir;
  std::ofstream(dir / "s.yaml")
      << "name: s\ncells:\n  - {result_name: r, system_prompt: \"p\xff\", "
         "input_tokens: 16, output_tokens: 4, concurrency: 1, num_requests: 2}\n";
  const auto r = run_process(
      {SERVEMETER_BINARY, "run", "--simulate", "--model", kModel, "--no-progress", "--results-dir",
       (dir / "results").string(), "--scenario-file", (dir / "s.yaml").string()},
      60);
  expect_no_crash(r);
  EXPECT_EQ(r.exit_code, exit_code::kUsage) << r.err;
  EXPECT_NE(r.err.find("scenario file " + (dir / "s.yaml").string() +
                       ", cell 1: 'system_prompt' is not valid UTF-8"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(request_lines_under(dir.path()), 0);
}

TEST(HostileInput, ValidUtf8SystemPromptAndModelStillRun) {
  // The check above refuses only what is not UTF-8: Korean text and an unknown model id run.
  const TempDir dir;
  const auto r = run_process(
      sim_run(dir / "results", "모델-\xF0\x9F\x98\x80", {"--system-prompt", "짧게 답하세요"}), 60);
  expect_no_crash(r);
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.err;
  const auto results = expect_valid_utf8_outputs(dir / "results");
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].at("model_preset"), "모델-\xF0\x9F\x98\x80");
  EXPECT_EQ(request_lines_under(dir / "results"), 3);
}

TEST(HostileInput, ResultsFolderNamedWithoutUtf8RunsAndWritesValidUtf8Files) {
  const TempDir dir;
  const fs::path results = dir / "r\xff\xfe";
  const auto r = run_process(sim_run(results, kModel), 60);
  expect_no_crash(r);
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.err;
  const auto docs = expect_valid_utf8_outputs(results);
  ASSERT_EQ(docs.size(), 1u);
  ASSERT_EQ(docs[0].at("results").size(), 1u);
  EXPECT_EQ(docs[0]["results"][0].at("success_rate"), 100.0);
  EXPECT_EQ(files_under(results).size(), 2u);  // results and raw log
  EXPECT_EQ(request_lines_under(results), 3);
}

// --- 2. Output paths checked before the first request -----------------------------------------

TEST(HostileInput, ResultsFolderThatIsAFileStopsBeforeMeasuring) {
  const TempDir dir;
  std::ofstream(dir / "file") << "keep";
  const auto r = run_process(sim_run(dir / "file", kModel), 60);
  expect_no_crash(r);
  EXPECT_EQ(r.exit_code, exit_code::kOutputUnwritable) << r.err;
  EXPECT_NE(r.err.find("cannot create folder " + (dir / "file" / "vllm").string()),
            std::string::npos)
      << r.err;
  EXPECT_EQ(read_bytes(dir / "file"), "keep");
  EXPECT_EQ(request_lines_under(dir.path()), 0);
}

TEST(HostileInput, FrameworkFolderThatIsAFileStopsBeforeMeasuring) {
  const TempDir dir;
  fs::create_directories(dir / "results");
  std::ofstream(dir / "results" / "vllm") << "keep";
  const auto r = run_process(sim_run(dir / "results", kModel), 60);
  expect_no_crash(r);
  EXPECT_EQ(r.exit_code, exit_code::kOutputUnwritable) << r.err;
  EXPECT_NE(r.err.find((dir / "results" / "vllm").string()), std::string::npos) << r.err;
  EXPECT_EQ(read_bytes(dir / "results" / "vllm"), "keep");
  EXPECT_EQ(request_lines_under(dir.path()), 0);
}

TEST(HostileInput, FrameworkFolderThatIsNotWritableStopsBeforeMeasuring) {
  const TempDir dir;
  const fs::path folder = dir / "results" / "vllm";
  fs::create_directories(folder);
  ASSERT_EQ(::chmod(folder.c_str(), 0555), 0);
  if (::access(folder.c_str(), W_OK) == 0) {
    ::chmod(folder.c_str(), 0755);
    GTEST_SKIP() << "permissions do not bind this user (root): the folder stays writable";
  }
  const auto r = run_process(sim_run(dir / "results", kModel), 60);
  ::chmod(folder.c_str(), 0755);
  expect_no_crash(r);
  EXPECT_EQ(r.exit_code, exit_code::kOutputUnwritable) << r.err;
  EXPECT_NE(r.err.find(folder.string()), std::string::npos) << r.err;
  EXPECT_EQ(request_lines_under(dir.path()), 0);
}

TEST(HostileInput, ResultFilesThatAreFoldersStopBeforeMeasuring) {
  for (const char* suffix : {"_results.json", "_requests.jsonl"}) {
    const TempDir dir;
    const fs::path blocker = dir / "results" / "vllm" / (std::string("vllm_") + kModel + suffix);
    fs::create_directories(blocker);
    const auto r = run_process(sim_run(dir / "results", kModel), 60);
    expect_no_crash(r);
    EXPECT_EQ(r.exit_code, exit_code::kOutputUnwritable) << suffix << ": " << r.err;
    EXPECT_NE(r.err.find("cannot write " + blocker.string() + ": it is a directory"),
              std::string::npos)
        << r.err;
    EXPECT_EQ(request_lines_under(dir.path()), 0) << suffix;
  }
}

// What the code does for a model name longer than a file name: the file name is cut and ends in
// '~' and a hash of the whole name (result_paths.h), so the run is measured and kept, names stay
// distinct, and the results hold the whole name.
TEST(HostileInput, ModelNameLongerThanAFileNameGetsAShortenedDistinctFile) {
  const TempDir dir;
  const std::string a(300, 'm');
  const std::string b = std::string(299, 'm') + "n";
  for (const auto& model : {a, b}) {
    const auto r = run_process(sim_run(dir / "results", model), 60);
    expect_no_crash(r);
    ASSERT_EQ(r.exit_code, exit_code::kOk) << r.err;
  }
  const auto files = files_under(dir / "results");
  EXPECT_EQ(files.size(), 4u);  // results and raw log of each name
  for (const auto& f : files) {
    EXPECT_LE(f.filename().string().size(), 255u) << f;
    EXPECT_NE(f.filename().string().find('~'), std::string::npos) << f;
  }
  std::vector<std::string> presets;
  for (const auto& doc : expect_valid_utf8_outputs(dir / "results"))
    presets.push_back(doc.at("model_preset").get<std::string>());
  std::sort(presets.begin(), presets.end());
  EXPECT_EQ(presets, (std::vector<std::string>{a, b}));
}

// --- 3. Presets files of the wrong shape: exit 6 naming the file, for every command -----------

struct BadPresets {
  std::string name;
  std::string says;  // in the message, after the file's path
};

// The commands that read presets: run (with and without --simulate) and preflight.
std::vector<std::vector<std::string>> commands_reading_presets(const fs::path& results_dir) {
  return {sim_run(results_dir, kModel),
          {SERVEMETER_BINARY, "run", "--model", kModel, "--results-dir", results_dir.string(),
           "--dry-run"},
          {SERVEMETER_BINARY, "preflight", "--framework", "vllm", "--results-dir",
           results_dir.string()}};
}

void expect_preset_error(const ProcessResult& r, const fs::path& file, const std::string& says,
                         const std::string& command) {
  expect_no_crash(r);
  EXPECT_EQ(r.exit_code, exit_code::kPresetError) << command << ": " << r.err;
  EXPECT_NE(r.err.find("presets file " + file.string()), std::string::npos)
      << command << ": " << r.err;
  EXPECT_NE(r.err.find(says), std::string::npos) << command << ": " << r.err;
}

TEST(HostileInput, PresetsFileOfTheWrongShapeIsExitSixNamingTheFileForEveryCommand) {
  const TempDir dir;
  fs::create_directories(dir / "a-folder.yaml");
  std::ofstream(dir / "scalar.yaml") << "just a scalar\n";
  std::ofstream(dir / "list.yaml") << "frameworks:\n  - vllm\n  - sglang\n";
  std::ofstream(dir / "top-list.yaml") << "- frameworks\n";
  const std::vector<BadPresets> cases = {{"a-folder.yaml", "is a directory"},
                                         {"scalar.yaml", "the top level must be a map"},
                                         {"list.yaml", "frameworks must be a map"},
                                         {"top-list.yaml", "the top level must be a map"}};
  for (const auto& c : cases)
    for (auto args : commands_reading_presets(dir / "results")) {
      args.push_back("--presets");
      args.push_back((dir / c.name).string());
      const auto r = run_process(args, 60);
      expect_preset_error(r, dir / c.name, c.says, c.name + " / " + args[1] + " " + args[2]);
    }
  EXPECT_EQ(request_lines_under(dir / "results"), 0);
}

TEST(HostileInput, UserPresetsFileThatIsAFolderIsExitSixForEveryCommand) {
  const TempDir dir;
  const fs::path user = dir / "config" / "servemeter" / "presets.yaml";
  fs::create_directories(user);
  for (const auto& args : commands_reading_presets(dir / "results")) {
    const auto r = run_process(args, 60, {"XDG_CONFIG_HOME=" + (dir / "config").string()});
    expect_preset_error(r, user, "is a directory", args[1] + " " + args[2]);
  }
}

TEST(HostileInput, UserPresetsFileThatCannotBeReadIsExitSixForEveryCommand) {
  const TempDir dir;
  const fs::path user = dir / "config" / "servemeter" / "presets.yaml";
  fs::create_directories(user.parent_path());
  std::ofstream(user) << "frameworks: {}\n";
  ASSERT_EQ(::chmod(user.c_str(), 0), 0);
  if (::access(user.c_str(), R_OK) == 0)
    GTEST_SKIP() << "permissions do not bind this user (root): the file stays readable";
  for (const auto& args : commands_reading_presets(dir / "results")) {
    const auto r = run_process(args, 60, {"XDG_CONFIG_HOME=" + (dir / "config").string()});
    expect_preset_error(r, user, "", args[1] + " " + args[2]);
  }
}

// --- 4. An open-files limit too low for the concurrency ----------------------------------------

// `args` run under bash with `ulimit_flags` (e.g. "-n 64") applied first.
std::vector<std::string> with_ulimit(const std::string& ulimit_flags,
                                     const std::vector<std::string>& args) {
  std::vector<std::string> out = {"/bin/bash", "-c", "ulimit " + ulimit_flags + " && exec \"$@\"",
                                  "bash"};
  out.insert(out.end(), args.begin(), args.end());
  return out;
}

TEST(HostileInput, ConcurrencyBeyondTheHardOpenFilesLimitIsRefusedNamingTheLimit) {
  const TempDir dir;
  const auto r = run_process(
      with_ulimit("-n 64", sim_run(dir / "results", kModel, {"--concurrency", "500"}, "1000")), 60);
  expect_no_crash(r);
  EXPECT_EQ(r.exit_code, exit_code::kUsage) << r.err;
  EXPECT_NE(r.err.find("keeps up to 500 requests in flight"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("may open only 64 (ulimit -n; hard limit 64)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("ulimit -n 65536"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("connect"), std::string::npos) << r.err;
  EXPECT_EQ(request_lines_under(dir.path()), 0);
  // README: Exit codes documents it under 2.
  const fs::path readme =
      fs::path(SERVEMETER_GOLDEN_DIR).parent_path().parent_path().parent_path() / "README.md";
  const std::string text = read_bytes(readme);
  const auto row = text.find("\n| 2 | ");
  ASSERT_NE(row, std::string::npos) << readme;
  EXPECT_NE(text.substr(row, text.find('\n', row + 1) - row)
                .find("a concurrency the open-files limit cannot hold"),
            std::string::npos);
}

TEST(HostileInput, ALowSoftOpenFilesLimitIsRaisedToTheHardOne) {
  rlimit limit{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &limit), 0);
  if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < 1024)
    GTEST_SKIP() << "hard open-files limit " << limit.rlim_max << " is below what 300 need";
  const TempDir dir;
  const auto r = run_process(
      with_ulimit("-Sn 64", sim_run(dir / "results", kModel, {"--concurrency", "300"}, "300")),
      120);
  expect_no_crash(r);
  ASSERT_EQ(r.exit_code, exit_code::kOk) << r.err;
  const auto docs = expect_valid_utf8_outputs(dir / "results");
  ASSERT_EQ(docs.size(), 1u);
  const auto& entry = docs[0].at("results").at(0);
  EXPECT_EQ(entry.at("success_rate"), 100.0);
  EXPECT_TRUE(entry.at("errors_total").empty()) << entry.at("errors_total");
  EXPECT_EQ(entry.at("stop_reason"), "none");
}

// --- 5. A huge run starts at once, keeps memory flat and stops on Ctrl-C ----------------------

long rss_kb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.starts_with("VmRSS:")) return std::stol(line.substr(6));
  return -1;
}

int lines_in(const fs::path& path) {
  const std::string bytes = read_bytes(path);
  return static_cast<int>(std::count(bytes.begin(), bytes.end(), '\n'));
}

TEST(HostileInput, TenMillionRequestsStartAtOnceStayBoundedAndStopOnCtrlC) {
  using Clock = std::chrono::steady_clock;
  const TempDir dir;
  const fs::path log =
      dir / "results" / "vllm" / (std::string("vllm_") + kModel + "_requests.jsonl");
  const fs::path results =
      dir / "results" / "vllm" / (std::string("vllm_") + kModel + "_results.json");
  const auto started = Clock::now();
  Child child(
      sim_run(dir / "results", kModel, {"--concurrency", "64", "--grace-period", "1"}, "10000000"));
  // Requests are on their way (in the raw log) within 3 s: nothing is built up front.
  bool sending = false;
  while (!sending && Clock::now() - started < std::chrono::seconds(3)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    sending = lines_in(log) >= 10;
  }
  ASSERT_TRUE(sending) << "no requests in the raw log 3 s after the start";
  // Memory stays bounded while it runs.
  long peak_kb = 0;
  for (int i = 0; i < 20; ++i) {
    peak_kb = std::max(peak_kb, rss_kb(child.pid()));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_GT(peak_kb, 0);
  EXPECT_LT(peak_kb, 300 * 1024) << "VmRSS " << peak_kb << " kB";
  // Ctrl-C: exits 130 within the grace period (1 s) and a little more.
  child.signal(SIGINT);
  const auto signalled = Clock::now();
  const auto r = child.wait(30);
  const double stop_s = std::chrono::duration<double>(Clock::now() - signalled).count();
  expect_no_crash(r);
  EXPECT_EQ(r.exit_code, exit_code::kInterrupted) << r.err;
  EXPECT_LT(stop_s, 5.0);
  EXPECT_NE(r.err.find("stopping"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--resume"), std::string::npos) << r.err;
  const auto docs = expect_valid_utf8_outputs(dir / "results");
  ASSERT_EQ(docs.size(), 1u);
  ASSERT_TRUE(fs::exists(results));
  const auto& entry = docs[0].at("results").at(0);
  EXPECT_EQ(entry.at("stop_reason"), "interrupted");
  EXPECT_EQ(entry.at("complete"), false);
  EXPECT_GT(entry.at("measured_requests_total").get<double>(), 0);
  EXPECT_LT(entry.at("measured_requests_total").get<double>(), 10000000);
}

// --- 6. A server that wants an API key, and none given ----------------------------------------

TEST(HostileInput, AServerAnswering401WithoutAKeySaysToPassApiKey) {
  testing::FakeServer server([](const testing::SeenRequest&, testing::FakeConnection& c) {
    c.send_full(401, "application/json", R"({"error":"missing api key"})");
  });
  const TempDir dir;
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port());
  const auto r = run_process(
      {SERVEMETER_BINARY, "run", "--framework", "openai", "--model", "m", "--base-url", url,
       "--output-tokens", "3", "--num-requests", "2", "--results-dir", (dir / "results").string()},
      60, {"OPENAI_API_KEY="});
  expect_no_crash(r);
  EXPECT_EQ(r.exit_code, exit_code::kServerUnavailable) << r.err;
  EXPECT_NE(r.err.find("the server at " + url + " wants an API key"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Pass --api-key KEY (or set OPENAI_API_KEY)"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("no server answering"), std::string::npos) << r.err;
  // Only the health check asked, without a key, and nothing was measured.
  const auto seen = server.requests();
  ASSERT_FALSE(seen.empty());
  for (const auto& request : seen) {
    EXPECT_EQ(request.method, "GET") << request.path;
    EXPECT_EQ(request.headers.count("authorization"), 0u) << request.path;
  }
  EXPECT_EQ(request_lines_under(dir.path()), 0);
}

}  // namespace
}  // namespace servemeter
