#include "orchestrate/presets.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <sstream>

#include "support/temp_dir.h"

namespace servemeter {
namespace {

const std::filesystem::path kShipped =
    std::filesystem::path(SERVEMETER_DATA_DIR) / "frameworks.yaml";

TEST(Presets, ShippedFrameworksHaveRunbookPortsAndApis) {
  const auto presets = load_presets(kShipped);
  EXPECT_EQ(presets.framework("vllm")->port, 8000);
  EXPECT_EQ(presets.framework("sglang")->port, 30000);
  EXPECT_EQ(presets.framework("ollama")->port, 11434);
  EXPECT_EQ(presets.framework("llamacpp")->port, 8080);
  EXPECT_EQ(presets.framework("ollama")->api, "ollama-chat");
  EXPECT_FALSE(presets.framework("llamacpp")->model_check);
  EXPECT_EQ(presets.framework("tgi"), nullptr);
}

TEST(Presets, ModelPresetsMapPerFrameworkAndOtherIdsPassThrough) {
  const auto presets = load_presets(kShipped);
  EXPECT_EQ(presets.resolve_model("gpt-oss-20b", "vllm"), "openai/gpt-oss-20b");
  EXPECT_EQ(presets.resolve_model("gpt-oss-20b", "ollama"), "gpt-oss:20b");
  EXPECT_EQ(presets.resolve_model("llama3.1-8b", "sglang"), "meta-llama/Llama-3.1-8B-Instruct");
  EXPECT_EQ(presets.resolve_model("llama3.1-8b", "ollama"), "llama3.1:8b");
  EXPECT_EQ(presets.resolve_model("Qwen/Qwen3-8B", "vllm"), "Qwen/Qwen3-8B");
}

TEST(Presets, ShippedCommandsAreTheRunbooksAsArgumentVectors) {
  const auto presets = load_presets(kShipped);
  const auto vllm = launch_spec(*presets.framework("vllm"), {"openai/gpt-oss-20b", {}, 0, {}});
  EXPECT_EQ(vllm.argv, (std::vector<std::string>{
                           "vllm", "serve", "openai/gpt-oss-20b", "--host", "127.0.0.1", "--port",
                           "8000", "--tensor-parallel-size", "1", "--gpu-memory-utilization",
                           "0.85", "--enable-prefix-caching"}));
  EXPECT_EQ(vllm.venv, (std::filesystem::current_path() / "vllm/vllm_env").lexically_normal());
  const auto sglang = launch_spec(*presets.framework("sglang"), {"m/x", {}, 31000, "0.0.0.0"});
  EXPECT_EQ(sglang.argv,
            (std::vector<std::string>{"python3", "-m", "sglang.launch_server", "--model-path",
                                      "m/x", "--tp", "1", "--port", "31000", "--host", "0.0.0.0",
                                      "--mem-fraction-static", "0.85"}));
  const auto ollama = launch_spec(*presets.framework("ollama"), {"gpt-oss:20b", {}, 0, {}});
  EXPECT_EQ(ollama.argv, (std::vector<std::string>{"ollama", "serve"}));
  EXPECT_EQ(ollama.env,
            (std::vector<std::pair<std::string, std::string>>{{"OLLAMA_HOST", "127.0.0.1:11434"}}));
  EXPECT_TRUE(ollama.venv.empty());
  const auto llama = launch_spec(*presets.framework("llamacpp"), {"tiny", "/m/tiny.gguf", 0, {}});
  EXPECT_EQ(llama.argv[0], "llama-server");
  EXPECT_EQ(llama.argv[2], "/m/tiny.gguf");
  EXPECT_EQ(llama.argv[4], "tiny");
}

TEST(Presets, ShippedPresetsSayWhatTheSuiteNeeds) {
  const auto presets = load_presets(kShipped);
  EXPECT_EQ(presets.all_frameworks, (std::vector<std::string>{"sglang", "vllm", "ollama"}));
  EXPECT_EQ(presets.framework("sglang")->cache_flush_path, "/flush_cache");
  EXPECT_EQ(presets.framework("vllm")->cache_flush_path, "/reset_prefix_cache");
  EXPECT_EQ(presets.framework("ollama")->cache_flush_path, "");
  EXPECT_EQ(presets.framework("ollama")->model_source, ModelSource::ollama);
  EXPECT_EQ(presets.framework("vllm")->model_source, ModelSource::huggingface);
  EXPECT_EQ(presets.framework("llamacpp")->model_source, ModelSource::file);
  EXPECT_EQ(presets.framework("vllm")->metrics_path, "/metrics");
  EXPECT_EQ(presets.framework("vllm")->server_info_path, "/version");
  EXPECT_GE(presets.framework("vllm")->health_timeout_s, 600);
  EXPECT_EQ(presets.framework("sglang")->check_command,
            (std::vector<std::string>{"python3", "-c", "import sglang"}));
  EXPECT_TRUE(presets.framework("openai")->command.empty());
}

TEST(Presets, StartCommandIsShownShellQuotedWithVenvAndEnvironment) {
  const auto presets = load_presets(kShipped);
  EXPECT_EQ(presets.start_command(*presets.framework("vllm"), "m/x"),
            ". vllm/vllm_env/bin/activate && VLLM_SERVER_DEV_MODE=1 vllm serve m/x --host "
            "127.0.0.1 --port 8000 "
            "--tensor-parallel-size 1 --gpu-memory-utilization 0.85 --enable-prefix-caching");
  EXPECT_EQ(presets.start_command(*presets.framework("ollama"), "gpt-oss:20b"),
            "OLLAMA_HOST=127.0.0.1:11434 ollama serve");
  EXPECT_EQ(presets.start_command(*presets.framework("openai"), "m"), "");
  EXPECT_EQ(shell_quote("it's $(x)"), "'it'\\''s $(x)'");
  EXPECT_EQ(shell_quote(""), "''");
  EXPECT_EQ(shell_quote("a/b:c=1,2"), "a/b:c=1,2");
}

TEST(Presets, PlaceholdersAreFilledInsideEachArgumentOnce) {
  Presets presets;
  merge_presets_text(
      presets,
      "frameworks:\n  x:\n    api: openai-chat\n    port: 9\n"
      "    command: [srv, \"--model={model}\", \"{host}:{port}\", \"{model_path}\"]\n",
      "inline");
  // A value holding a placeholder or shell syntax stays what it is, in one argument.
  const auto spec = launch_spec(*presets.framework("x"), {"a {port} $(rm -rf /)", "/p q;r", 0, {}});
  EXPECT_EQ(spec.argv, (std::vector<std::string>{"srv", "--model=a {port} $(rm -rf /)",
                                                 "127.0.0.1:9", "/p q;r"}));
}

TEST(Presets, AUserAddsAFrameworkWithoutCodeChange) {
  const testsupport::TempDir dir;
  std::ofstream(dir / "tgi.yaml") << "all_frameworks: [vllm, tgi]\n"
                                     "frameworks:\n"
                                     "  tgi:\n"
                                     "    port: 3000\n"
                                     "    api: openai-chat\n"
                                     "    health_path: /health\n"
                                     "    command: [text-generation-launcher, --model-id, "
                                     "\"{model}\", --hostname, \"{host}\",\n"
                                     "              --port, \"{port}\"]\n"
                                     "    env:\n"
                                     "      HF_HUB_ENABLE_HF_TRANSFER: \"1\"\n"
                                     "    venv: tgi/env\n"
                                     "    working_dir: /srv/bench\n"
                                     "    health_timeout_s: 900\n"
                                     "    model_source: huggingface\n"
                                     "    metrics_path: /metrics\n"
                                     "models:\n"
                                     "  llama3.1-8b:\n"
                                     "    tgi: meta-llama/Llama-3.1-8B-Instruct\n";
  const auto presets = load_presets(kShipped, {dir / "tgi.yaml"});
  const FrameworkPreset* tgi = presets.framework("tgi");
  ASSERT_NE(tgi, nullptr);
  const auto spec = launch_spec(*tgi, {presets.resolve_model("llama3.1-8b", "tgi"), {}, 0, {}});
  EXPECT_EQ(spec.argv, (std::vector<std::string>{"text-generation-launcher", "--model-id",
                                                 "meta-llama/Llama-3.1-8B-Instruct", "--hostname",
                                                 "127.0.0.1", "--port", "3000"}));
  EXPECT_EQ(spec.working_dir, "/srv/bench");
  EXPECT_EQ(spec.venv, "/srv/bench/tgi/env");
  EXPECT_EQ(tgi->health_timeout_s, 900);
  std::string why;
  EXPECT_EQ(presets.expand_frameworks("all", why), (std::vector<std::string>{"vllm", "tgi"}));
}

// The README's example of adding a framework, as printed there, loads and runs as described.
TEST(Presets, TheReadmeExampleOfAddingAFrameworkLoads) {
  std::ifstream in(std::filesystem::path(SERVEMETER_DATA_DIR) / ".." / "README.md");
  std::stringstream text;
  text << in.rdbuf();
  const std::string readme = text.str();
  const auto intro = readme.find("Adding a framework is a presets entry");
  ASSERT_NE(intro, std::string::npos);
  const auto begin = readme.find("```yaml\n", intro);
  ASSERT_NE(begin, std::string::npos);
  const auto end = readme.find("```", begin + 8);
  Presets presets = load_presets(kShipped);
  merge_presets_text(presets, readme.substr(begin + 8, end - begin - 8), "README.md");
  std::string why;
  EXPECT_EQ(presets.expand_frameworks("all", why),
            (std::vector<std::string>{"sglang", "vllm", "ollama", "tgi"}));
  const auto spec = launch_spec(*presets.framework("tgi"),
                                {presets.resolve_model("llama3.1-8b", "tgi"), {}, 0, {}});
  EXPECT_EQ(spec.argv, (std::vector<std::string>{"text-generation-launcher", "--model-id",
                                                 "meta-llama/Llama-3.1-8B-Instruct", "--hostname",
                                                 "127.0.0.1", "--port", "3000"}));
  EXPECT_EQ(spec.venv, "/srv/bench/tgi/tgi_env");
}

TEST(Presets, FrameworkListsExpandAllAndRejectUnknownNames) {
  const auto presets = load_presets(kShipped);
  std::string why;
  EXPECT_EQ(presets.expand_frameworks("all", why),
            (std::vector<std::string>{"sglang", "vllm", "ollama"}));
  EXPECT_EQ(presets.expand_frameworks("vllm, llamacpp,vllm", why),
            (std::vector<std::string>{"vllm", "llamacpp"}));
  EXPECT_FALSE(presets.expand_frameworks("vllm,tgi", why));
  EXPECT_NE(why.find("'tgi'"), std::string::npos) << why;
  EXPECT_FALSE(presets.expand_frameworks(" , ", why));
}

TEST(Presets, UserEnvIsMergedVariableByVariableAndCommandReplacedWhole) {
  const testsupport::TempDir dir;
  std::ofstream(dir / "mine.yaml") << "frameworks:\n  ollama:\n    env:\n"
                                      "      OLLAMA_NUM_PARALLEL: \"4\"\n"
                                      "    command: [/opt/ollama/bin/ollama, serve]\n";
  const auto presets = load_presets(kShipped, {dir / "mine.yaml"});
  const auto spec = launch_spec(*presets.framework("ollama"), {"m", {}, 0, {}});
  EXPECT_EQ(spec.argv, (std::vector<std::string>{"/opt/ollama/bin/ollama", "serve"}));
  EXPECT_EQ(spec.env, (std::vector<std::pair<std::string, std::string>>{
                          {"OLLAMA_HOST", "127.0.0.1:11434"}, {"OLLAMA_NUM_PARALLEL", "4"}}));
}

// Every malformed shape is a PresetError naming the file and the key, never a crash.
struct BadPreset {
  const char* yaml;
  const char* mentions;
};

class MalformedPresets : public ::testing::TestWithParam<BadPreset> {};

TEST_P(MalformedPresets, AreRejectedNamingFileAndKey) {
  Presets presets;
  try {
    merge_presets_text(presets, GetParam().yaml, "user.yaml");
    FAIL() << "accepted: " << GetParam().yaml;
  } catch (const PresetError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("user.yaml"), std::string::npos) << what;
    EXPECT_NE(what.find(GetParam().mentions), std::string::npos) << what;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, MalformedPresets,
    ::testing::Values(
        BadPreset{"frameworks:\n  x:\n    api: a\n    command: \"vllm serve {model}\"\n",
                  "never runs a command through a shell"},
        BadPreset{"frameworks:\n  x:\n    api: a\n    start_command: \"vllm serve\"\n",
                  "'command'"},
        BadPreset{"frameworks:\n  x:\n    api: a\n    command: [srv, \"{prot}\"]\n",
                  "frameworks.x.command[1]"},
        BadPreset{"frameworks:\n  x:\n    api: a\n    command: [srv, [nested]]\n",
                  "frameworks.x.command[1]"},
        BadPreset{"frameworks:\n  x:\n    api: a\n    command: [\"\"]\n", "command[0]"},
        BadPreset{"frameworks:\n  x:\n    api: a\n    env: [A=1]\n", "frameworks.x.env"},
        BadPreset{"frameworks:\n  x:\n    api: a\n    env: {\"A=B\": 1}\n", "A=B"},
        BadPreset{"frameworks:\n  x:\n    api: a\n    env: {A: [1]}\n", "frameworks.x.env.A"},
        BadPreset{"frameworks:\n  x:\n    api: a\n    health_timeout_s: -5\n", "health_timeout_s"},
        BadPreset{"frameworks:\n  x:\n    api: a\n    health_timeout_s: soon\n",
                  "health_timeout_s"},
        BadPreset{"frameworks:\n  x:\n    api: a\n    stop_grace_s: .nan\n", "stop_grace_s"},
        BadPreset{"frameworks:\n  x:\n    api: a\n    model_source: s3\n", "model_source"},
        BadPreset{"frameworks:\n  x:\n    api: a\n    cache_flush_path: flush\n",
                  "cache_flush_path"},
        BadPreset{"frameworks:\n  x:\n    api: a\n    venv: [a]\n", "frameworks.x.venv"},
        BadPreset{"frameworks:\n  x:\n    api: a\n    host: \"\"\n", "frameworks.x.host"},
        BadPreset{"frameworks:\n  x:\n    api: a\n    colour: red\n", "unknown key 'colour'"},
        BadPreset{"all_frameworks: vllm\n", "all_frameworks"},
        BadPreset{"all_frameworks: []\n", "all_frameworks"}),
    [](const ::testing::TestParamInfo<BadPreset>& info) { return std::to_string(info.index); });

TEST(Presets, UserFileOverridesKeyByKeyAndAddsEntries) {
  const testsupport::TempDir dir;
  std::ofstream(dir / "mine.yaml") << "frameworks:\n  vllm:\n    port: 9000\n"
                                      "  tgi:\n    port: 3000\n    api: openai-chat\n"
                                      "models:\n  qwen:\n    vllm: Qwen/Qwen3-8B\n";
  const auto presets = load_presets(kShipped, {dir / "mine.yaml"});
  EXPECT_EQ(presets.framework("vllm")->port, 9000);
  EXPECT_EQ(presets.framework("vllm")->api, "openai-chat");  // kept from the shipped file
  EXPECT_EQ(presets.framework("tgi")->port, 3000);
  EXPECT_EQ(presets.resolve_model("qwen", "vllm"), "Qwen/Qwen3-8B");
}

TEST(Presets, FrameworkWithoutApiIsRejectedNamingFile) {
  const testsupport::TempDir dir;
  std::ofstream(dir / "bad.yaml") << "frameworks:\n  tgi:\n    port: 3000\n";
  try {
    load_presets(kShipped, {dir / "bad.yaml"});
    FAIL() << "accepted a framework with no api";
  } catch (const PresetError& e) {
    EXPECT_NE(std::string(e.what()).find("'tgi'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("bad.yaml"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace servemeter
