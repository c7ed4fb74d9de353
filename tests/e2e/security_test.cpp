// Security, end to end through `servemeter run` and `servemeter sim` as processes: an API key
// (flag or OPENAI_API_KEY) and a password in --base-url appear in no output, even when the
// server echoes them back; TLS is verified unless --insecure is asked for, and that is recorded;
// hostile framework and model names cannot put files outside the results folder or onto each
// other; the simulator listens on loopback unless told otherwise.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>

#include "cli/exit_codes.h"
#include "e2e/run_outputs.h"
#include "http/fake_server.h"
#include "sim/sim_server.h"
#include "support/run_process.h"
#include "support/temp_dir.h"

namespace servemeter::e2e {
namespace {

namespace fs = std::filesystem;
using testsupport::Child;
using testsupport::ProcessResult;
using testsupport::TempDir;

constexpr const char* kKey = "sk-test-SECRET-4f9a1c";
constexpr const char* kKeyMarker = "SECRET-4f9a1c";  // any part of the key is a leak

// Every place a secret could end up: stdout, stderr and every file under `dir`.
std::vector<std::string> places_holding(const std::string& secret, const ProcessResult& r,
                                        const fs::path& dir) {
  std::vector<std::string> places;
  if (r.out.find(secret) != std::string::npos) places.push_back("stdout:\n" + r.out);
  if (r.err.find(secret) != std::string::npos) places.push_back("stderr:\n" + r.err);
  for (const auto& f : fs::recursive_directory_iterator(dir)) {
    if (!f.is_regular_file()) continue;
    const std::string text = read_text(f.path());
    for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 1)) {
      const auto from = at > 200 ? at - 200 : 0;
      places.push_back(f.path().filename().string() + ": ..." + text.substr(from, 260) + "...");
      if (places.size() > 8) return places;
    }
  }
  return places;
}

std::string joined(const std::vector<std::string>& places) {
  std::string text;
  for (const auto& p : places) text += p + "\n---\n";
  return text;
}

// An OpenAI-compatible server that puts the Authorization header it receives into everything it
// answers: error bodies of every kind, a 200 stream's content, an error event inside a stream,
// an HTML page, a Retry-After'd 429.
class EchoingServer {
 public:
  EchoingServer()
      : server_([this](const testing::SeenRequest& request, testing::FakeConnection& c) {
          answer(request, c);
        }) {}
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_.port()); }
  // The Authorization headers the server was sent.
  std::vector<std::string> authorizations() const {
    std::vector<std::string> seen;
    for (const auto& r : server_.requests())
      if (const auto it = r.headers.find("authorization"); it != r.headers.end())
        seen.push_back(it->second);
    return seen;
  }

 private:
  void answer(const testing::SeenRequest& request, testing::FakeConnection& c) {
    const auto it = request.headers.find("authorization");
    const std::string echo = it == request.headers.end() ? "" : it->second;
    if (request.path == "/v1/models") {
      c.send_full(200, "application/json",
                  R"({"object":"list","data":[{"id":"m","owned_by":")" + echo + R"("}]})");
      return;
    }
    if (request.method == "GET") {
      c.send_full(200, "application/json", R"({"seen":")" + echo + R"("})");
      return;
    }
    switch (next_++ % 6) {
      case 0:
        c.send_full(500, "application/json",
                    R"({"error":{"message":"bad header )" + echo +
                        R"(","type":"InternalServerError","code":500}})");
        return;
      case 1:
        c.send_chunked_head(200, "text/event-stream");
        for (int i = 0; i < 3; ++i) c.send_chunk(testing::sse_event(echo));
        c.send_chunk(
            R"(data: {"choices":[],"usage":{"prompt_tokens":8,"completion_tokens":3,"total_tokens":11}})"
            "\n\n");
        c.send_chunk(testing::kSseDone);
        c.end_chunks();
        return;
      case 2:
        c.send_chunked_head(200, "text/event-stream");
        c.send_chunk(testing::sse_event("tok"));
        c.send_chunk(R"(data: {"error":{"message":"rejected )" + echo +
                     R"(","code":400}})"
                     "\n\n");
        c.end_chunks();
        return;
      case 3:
        c.send_full(200, "text/html", "<html><body>proxy saw " + echo + "</body></html>");
        return;
      case 4: {
        const std::string body = R"({"error":{"message":"slow down )" + echo + R"("}})";
        c.send(
            "HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\n"
            "Retry-After: 1\r\nX-Echo: " +
            echo + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
        return;
      }
      default:
        c.send_full(401, "application/json",
                    R"({"error":{"message":"Incorrect API key provided: )" + echo + R"("}})");
        return;
    }
  }

  std::atomic<int> next_{0};
  testing::FakeServer server_;
};

std::vector<std::string> run_args(const std::string& url, const TempDir& dir,
                                  const std::vector<std::string>& extra) {
  std::vector<std::string> args{SERVEMETER_BINARY, "run", "--framework",   "openai",
                                "--model",         "m",   "--base-url",    url,
                                "--output-tokens", "3",   "--results-dir", dir.string()};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

// Enough requests for every kind of answer the echoing server gives, warm-up included.
const std::vector<std::string> kEchoRun{"--num-requests", "24", "--warmup", "2",
                                        "--concurrency",  "3"};

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

// The server echoes the key in error bodies, a stream's error event, an HTML page and a
// stream's content: the HTTP layer scrubs it from every message it keeps.
TEST(Security, AnApiKeyFlagTheServerEchoesAppearsInNoOutput) {
  EchoingServer server;
  const TempDir dir;
  // With the progress display on: it goes to stderr, which is searched too.
  const auto r =
      testsupport::run_process(run_args(server.url(), dir, with(kEchoRun, {"--api-key", kKey})));
  EXPECT_EQ(r.exit_code, exit_code::kOk) << r.err;
  // The key was really sent, so the server really echoed it.
  const auto seen = server.authorizations();
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.front(), std::string("Bearer ") + kKey);
  const auto leaks = places_holding(kKeyMarker, r, dir);
  EXPECT_TRUE(leaks.empty()) << joined(leaks);
  // The run did see every kind of answer the server gave.
  const auto doc = read_json(dir / "openai" / "openai_m_results.json");
  EXPECT_GT(doc["results"][0]["successful_requests_total"].get<int>(), 0);
  EXPECT_EQ(doc["request_options"]["api_key"], "sent (redacted)");
}

// As above, with the key from the environment.
TEST(Security, AnApiKeyFromTheEnvironmentAppearsInNoOutput) {
  EchoingServer server;
  const TempDir dir;
  const auto r =
      testsupport::run_process(run_args(server.url(), dir, with(kEchoRun, {"--no-progress"})), 120,
                               {std::string("OPENAI_API_KEY=") + kKey});
  EXPECT_EQ(r.exit_code, exit_code::kOk) << r.err;
  const auto seen = server.authorizations();
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.front(), std::string("Bearer ") + kKey);
  const auto leaks = places_holding(kKeyMarker, r, dir);
  EXPECT_TRUE(leaks.empty()) << joined(leaks);
}

TEST(Security, AKeyTheServerRejectsWithAnEchoIsNotPrinted) {
  // Every path answers 401 and echoes the key, in its body and a header.
  testing::FakeServer server([](const testing::SeenRequest& request, testing::FakeConnection& c) {
    const auto it = request.headers.find("authorization");
    const std::string echo = it == request.headers.end() ? "" : it->second;
    c.send(
        "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nWWW-Authenticate: "
        "Bearer realm=\"" +
        echo + "\"\r\nContent-Length: " +
        std::to_string(std::string(R"({"error":"invalid key )" + echo + R"("})").size()) +
        "\r\n\r\n" + R"({"error":"invalid key )" + echo + R"("})");
  });
  const TempDir dir;
  const auto r = testsupport::run_process(
      run_args("http://127.0.0.1:" + std::to_string(server.port()), dir, {"--api-key", kKey}));
  EXPECT_EQ(r.exit_code, exit_code::kServerUnavailable) << r.err;
  EXPECT_NE(r.err.find("--api-key"), std::string::npos) << r.err;
  const auto leaks = places_holding(kKeyMarker, r, dir);
  EXPECT_TRUE(leaks.empty()) << joined(leaks);
}

TEST(Security, APasswordInTheBaseUrlAppearsNowhere) {
  constexpr const char* kPassword = "pw-Zq9x7Secret";
  sim::SimOptions options;
  options.ttft_ms = 1;
  options.itl_ms = 1;
  auto server = sim::SimServer::start(options);
  const TempDir dir;
  const std::string url =
      std::string("http://alice:") + kPassword + "@127.0.0.1:" + std::to_string(server->port());
  const auto ran =
      testsupport::run_process({SERVEMETER_BINARY, "run", "--framework", "vllm", "--model",
                                "llama3.1-8b", "--base-url", url, "--num-requests", "3", "--warmup",
                                "0", "--output-tokens", "4", "--results-dir", dir.string()});
  EXPECT_EQ(ran.exit_code, exit_code::kOk) << ran.err;
  auto leaks = places_holding(kPassword, ran, dir);
  EXPECT_TRUE(leaks.empty()) << joined(leaks);
  const auto doc = read_json(dir / "vllm" / "vllm_llama3.1-8b_results.json");
  EXPECT_EQ(doc["server_config"]["base_url"].get<std::string>().find(kPassword), std::string::npos);
  EXPECT_NE(doc["runs"][0]["command_line"].get<std::string>().find("<redacted>"), std::string::npos)
      << doc["runs"][0]["command_line"];

  // And in every error message: the server gone, --simulate given with it, a malformed URL.
  const auto port = server->port();
  server.reset();
  const TempDir other;
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--base-url", url},
           {"--base-url", url, "--simulate"},
           {"--base-url", std::string("http://alice:") + kPassword +
                              "@127.0.0.1:" + std::to_string(port) + "/v1"}}) {
    std::vector<std::string> argv{
        SERVEMETER_BINARY, "run",         "--framework",   "vllm",
        "--model",         "llama3.1-8b", "--results-dir", other.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    const auto failed = testsupport::run_process(argv);
    EXPECT_NE(failed.exit_code, exit_code::kOk);
    // The server is named, without the credentials.
    EXPECT_NE(failed.err.find("127.0.0.1:" + std::to_string(port)), std::string::npos)
        << failed.err;
    leaks = places_holding(kPassword, failed, other);
    EXPECT_TRUE(leaks.empty()) << joined(leaks);
  }
}

// An OpenAI-compatible server over TLS, with the test certificate (tests/support/tls).
void answer_over_tls(const testing::SeenRequest& request, testing::FakeConnection& c) {
  if (request.path == "/v1/models") {
    c.send_full(200, "application/json", R"({"object":"list","data":[{"id":"m"}]})");
    return;
  }
  if (request.method == "GET") {
    c.send_full(200, "application/json", "{}");
    return;
  }
  testing::answer_sse(c, 3);
}

TEST(Security, TlsIsVerifiedUnlessInsecureIsAskedForAndThatIsRecorded) {
  testing::FakeServerOptions tls;
  tls.tls = true;
  testing::FakeServer server(answer_over_tls, tls);
  const std::string url = "https://127.0.0.1:" + std::to_string(server.port());
  const TempDir dir;
  const auto refused = testsupport::run_process(
      run_args(url, dir, {"--num-requests", "2", "--warmup", "0", "--no-progress"}));
  EXPECT_EQ(refused.exit_code, exit_code::kServerUnavailable) << refused.err;
  // Not one request went over the connection that could not be verified.
  EXPECT_TRUE(server.requests().empty());
  EXPECT_FALSE(fs::exists(dir / "openai" / "openai_m_requests.jsonl"));

  const auto insecure = testsupport::run_process(
      run_args(url, dir, {"--num-requests", "2", "--warmup", "0", "--no-progress", "--insecure"}));
  ASSERT_EQ(insecure.exit_code, exit_code::kOk) << insecure.err;
  EXPECT_EQ(read_json(dir / "openai" / "openai_m_results.json")["request_options"]["tls_verify"],
            false);
  const auto log = read_raw_log(dir / "openai" / "openai_m_requests.jsonl");
  ASSERT_EQ(log.runs.size(), 1u);
  EXPECT_EQ(log.runs[0]["request_options"]["tls_verify"], false);
  EXPECT_NE(log.runs[0]["command_line"].get<std::string>().find("--insecure"), std::string::npos);

  // Verified again on the next run: --insecure does not stick.
  const auto again = testsupport::run_process(
      run_args(url, dir, {"--num-requests", "2", "--warmup", "0", "--no-progress"}));
  EXPECT_EQ(again.exit_code, exit_code::kServerUnavailable) << again.err;
}

// Every path under `dir`, relative to it.
std::vector<std::string> tree(const fs::path& dir) {
  std::vector<std::string> paths;
  for (const auto& f : fs::recursive_directory_iterator(dir))
    paths.push_back(fs::relative(f.path(), dir).string());
  std::sort(paths.begin(), paths.end());
  return paths;
}

bool tame_file_name(const std::string& name) {
  if (name.empty() || name[0] == '.') return false;
  for (const unsigned char c : name)
    if (c < 0x20 || c == 0x7f || c == '/' || c == '\\') return false;
  return true;
}

TEST(Security, HostileFrameworkAndModelNamesStayInsideTheResultsFolder) {
  const TempDir dir;
  const std::string framework = "../../evil\x01\n\x1b[31mfw";
  {
    std::ofstream presets(dir / "presets.yaml");
    presets << "frameworks:\n"
               "  \"../../evil\\x01\\n\\e[31mfw\":\n"
               "    port: 0\n"
               "    api: openai-chat\n"
               "    health_path: /health\n"
               "    sim_profile: vllm\n";
  }
  const fs::path results = dir / "results";
  auto run = [&](const std::string& model) {
    return testsupport::run_process({SERVEMETER_BINARY,
                                     "run",
                                     "--presets",
                                     (dir / "presets.yaml").string(),
                                     "--framework",
                                     framework,
                                     "--model",
                                     model,
                                     "--simulate",
                                     "--num-requests",
                                     "2",
                                     "--warmup",
                                     "0",
                                     "--input-tokens",
                                     "16",
                                     "--output-tokens",
                                     "4",
                                     "--no-progress",
                                     "--results-dir",
                                     results.string()});
  };
  const auto first = run("../../x");
  ASSERT_EQ(first.exit_code, exit_code::kOk) << first.err;
  // Nothing beside the results folder and the presets file, and inside it one folder of files
  // with tame names.
  EXPECT_EQ(tree(dir.path()).size(), 2u + tree(results).size());
  std::vector<fs::path> folders;
  for (const auto& f : fs::directory_iterator(results)) folders.push_back(f.path());
  ASSERT_EQ(folders.size(), 1u);
  EXPECT_TRUE(tame_file_name(folders[0].filename().string())) << folders[0];
  std::vector<fs::path> files;
  for (const auto& f : fs::directory_iterator(folders[0])) {
    EXPECT_TRUE(f.is_regular_file()) << f.path();
    EXPECT_TRUE(tame_file_name(f.path().filename().string())) << f.path();
    files.push_back(f.path());
  }
  EXPECT_EQ(files.size(), 2u);  // results and raw log
  fs::path results_file;
  for (const auto& f : files)
    if (f.string().ends_with("_results.json")) results_file = f;
  ASSERT_FALSE(results_file.empty());
  const auto doc = read_json(results_file);
  EXPECT_EQ(doc["framework"], framework);  // the name itself is kept, as data
  EXPECT_EQ(doc["model_preset"], "../../x");

  // Names that a careless escaping would merge get files of their own; the same name, its own.
  for (const std::string model : {"..%2F..%2Fx", ".._.._x", "../../x"}) {
    const auto more = run(model);
    ASSERT_EQ(more.exit_code, exit_code::kOk) << model << ": " << more.err;
  }
  std::size_t results_files = 0;
  for (const auto& f : fs::directory_iterator(folders[0]))
    results_files += f.path().string().ends_with("_results.json");
  EXPECT_EQ(results_files, 3u);
  EXPECT_EQ(read_raw_log(results_file.string().substr(0, results_file.string().size() -
                                                             std::string("_results.json").size()) +
                         "_requests.jsonl")
                .runs.size(),
            2u);  // "../../x" twice
}

TEST(Security, TheSimulatorListensOnLoopbackUnlessToldOtherwise) {
  {
    Child sim({SERVEMETER_BINARY, "sim", "--port", "0"});
    const std::string line = sim.read_line();
    EXPECT_EQ(line.rfind("listening on 127.0.0.1:", 0), 0u) << line;
    sim.signal(SIGTERM);
    EXPECT_EQ(sim.wait(30).exit_code, 0);
  }
  for (const char* host : {"0.0.0.0", "::"}) {
    const auto refused =
        testsupport::run_process({SERVEMETER_BINARY, "sim", "--port", "0", "--host", host}, 30);
    EXPECT_EQ(refused.exit_code, exit_code::kUsage) << host << ": " << refused.err;
    EXPECT_NE(refused.err.find("--allow-remote"), std::string::npos) << refused.err;
    EXPECT_EQ(refused.out.find("listening"), std::string::npos) << refused.out;
  }
  // Asked for explicitly, it listens where it was told.
  Child open({SERVEMETER_BINARY, "sim", "--port", "0", "--host", "0.0.0.0", "--allow-remote"});
  const std::string line = open.read_line();
  EXPECT_EQ(line.rfind("listening on 0.0.0.0:", 0), 0u) << line;
  open.signal(SIGTERM);
  EXPECT_EQ(open.wait(30).exit_code, 0);
}

}  // namespace
}  // namespace servemeter::e2e
