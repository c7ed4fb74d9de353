#include "orchestrate/presets.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>

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

TEST(Presets, StartCommandFillsModelAndPort) {
  const auto presets = load_presets(kShipped);
  EXPECT_EQ(presets.start_command(*presets.framework("vllm"), "m/x"),
            "vllm serve m/x --port 8000 --enable-prefix-caching");
}

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
