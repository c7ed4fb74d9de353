// Pre-flight on a machine without a GPU: a scripted probe stands in for the GPU, a socket this
// test holds for a taken port, scripts in a fake venv for the frameworks' commands.
#include "orchestrate/preflight.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "core/clock.h"
#include "sim/sim_server.h"
#include "support/lifecycle_helpers.h"
#include "support/temp_dir.h"

namespace servemeter {
namespace {

using testsupport::write_script;

class InventoryProbe final : public telemetry::GpuProbe {
 public:
  telemetry::GpuInventory inventory_data;
  std::vector<telemetry::GpuReading> readings;

  std::string_view kind() const override { return "scripted"; }
  const std::string& unavailable_reason() const override { return reason_; }
  const std::vector<telemetry::GpuIdentity>& gpus() const override { return ids_; }
  telemetry::GpuSample sample() override {
    telemetry::GpuSample s;
    s.t_ns = monotonic_ns();
    s.gpus = readings;
    return s;
  }
  telemetry::GpuInventory inventory() override { return inventory_data; }

 private:
  std::string reason_;
  std::vector<telemetry::GpuIdentity> ids_;
};

InventoryProbe h200(double temperature, std::vector<telemetry::GpuProcess> processes = {}) {
  InventoryProbe probe;
  probe.inventory_data.probe = "nvml";
  probe.inventory_data.driver_version = "580.95.05";
  probe.inventory_data.cuda_version = "13.0";
  telemetry::GpuInventoryEntry gpu;
  gpu.identity = {0, "NVIDIA H200", "GPU-1"};
  gpu.memory_total_mib = 143771;
  gpu.memory_used_mib = 500;
  gpu.processes = std::move(processes);
  probe.inventory_data.gpus.push_back(gpu);
  telemetry::GpuReading reading;
  reading.index = 0;
  reading.temperature_c = temperature;
  probe.readings.push_back(reading);
  return probe;
}

Presets presets_from(const std::string& frameworks_yaml) {
  Presets presets;
  merge_presets_text(presets, "frameworks:\n" + frameworks_yaml, "test.yaml");
  return presets;
}

std::vector<PreflightLine> lines_of(const PreflightReport& report, const std::string& check) {
  std::vector<PreflightLine> found;
  for (const auto& line : report.lines)
    if (line.check == check) found.push_back(line);
  return found;
}

PreflightOptions base_options(telemetry::GpuProbe& probe, const testsupport::TempDir& dir) {
  PreflightOptions options;
  options.gpu_probe = &probe;
  options.results_dir = dir / "results";
  options.hf_cache = dir / "hf";
  options.min_free_gb = 0;
  options.hub_url = "http://127.0.0.1:" + std::to_string(testsupport::free_port());
  options.hub_timeout_ms = 2000;
  options.command_timeout = std::chrono::seconds(30);
  return options;
}

TEST(Preflight, WithoutAGpuTheGpuLineSaysWhy) {
  const testsupport::TempDir dir;
  auto probe = telemetry::make_no_gpu_probe(
      "no NVIDIA driver: libnvidia-ml.so.1 not found and nvidia-smi not on PATH");
  PreflightOptions options = base_options(*probe, dir);
  const auto report = run_preflight(Presets{}, options);
  const auto gpu = lines_of(report, "GPU");
  ASSERT_EQ(gpu.size(), 1u);
  EXPECT_EQ(gpu[0].level, CheckLevel::warn);
  EXPECT_EQ(gpu[0].message,
            "no GPU visible (no NVIDIA driver: libnvidia-ml.so.1 not found and nvidia-smi not on "
            "PATH)");
  EXPECT_NE(gpu[0].fix.find("nvidia-smi"), std::string::npos);
  EXPECT_FALSE(report.failed());

  options.strict = true;
  EXPECT_EQ(lines_of(run_preflight(Presets{}, options), "GPU")[0].level, CheckLevel::fail);
}

TEST(Preflight, GpuNameDriverProcessesAndTemperature) {
  const testsupport::TempDir dir;
  InventoryProbe probe = h200(85, {{4242, "python3", 20480.0}});
  PreflightOptions options = base_options(probe, dir);
  const auto report = run_preflight(Presets{}, options);
  const auto gpu = lines_of(report, "GPU");
  ASSERT_EQ(gpu.size(), 1u);
  EXPECT_EQ(gpu[0].level, CheckLevel::ok);
  EXPECT_EQ(gpu[0].message, "GPU 0: NVIDIA H200, 143771 MiB; driver 580.95.05, CUDA 13.0");
  const auto processes = lines_of(report, "GPU processes");
  ASSERT_EQ(processes.size(), 1u);
  EXPECT_EQ(processes[0].level, CheckLevel::warn);
  EXPECT_NE(processes[0].message.find("GPU 0 is in use by python3 (pid 4242, 20480 MiB)"),
            std::string::npos)
      << processes[0].message;
  EXPECT_EQ(processes[0].fix, "stop it (kill 4242) before benchmarking");
  const auto temperature = lines_of(report, "GPU temperature");
  ASSERT_EQ(temperature.size(), 1u);
  EXPECT_EQ(temperature[0].level, CheckLevel::warn);
  EXPECT_NE(temperature[0].message.find("85 °C, above 80 °C"), std::string::npos);
  EXPECT_FALSE(report.failed());

  options.strict = true;
  EXPECT_EQ(lines_of(run_preflight(Presets{}, options), "GPU processes")[0].level,
            CheckLevel::fail);
}

TEST(Preflight, AnIdleCoolGpuIsAllOk) {
  const testsupport::TempDir dir;
  InventoryProbe probe = h200(35);
  const auto report = run_preflight(Presets{}, base_options(probe, dir));
  EXPECT_EQ(report.count(CheckLevel::warn), 0);
  EXPECT_EQ(report.count(CheckLevel::fail), 0);
  EXPECT_EQ(lines_of(report, "GPU processes")[0].message, "no other process on the GPUs");
  EXPECT_EQ(lines_of(report, "GPU temperature")[0].message, "GPU 0 at 35 °C");
}

TEST(Preflight, DiskBelowTheThresholdIsAWarning) {
  const testsupport::TempDir dir;
  InventoryProbe probe = h200(35);
  const Presets presets =
      presets_from("  hf:\n    api: openai-chat\n    model_source: huggingface\n");
  PreflightOptions options = base_options(probe, dir);
  options.frameworks = {"hf"};
  options.min_free_gb = 0.001;
  auto disk = lines_of(run_preflight(presets, options), "disk");
  ASSERT_EQ(disk.size(), 1u);  // the cache and the results share the temp filesystem
  EXPECT_EQ(disk[0].level, CheckLevel::ok);
  EXPECT_NE(disk[0].message.find("GB free for the model cache " + (dir / "hf").string() +
                                 " and results " + (dir / "results").string()),
            std::string::npos)
      << disk[0].message;

  options.min_free_gb = 1e9;
  disk = lines_of(run_preflight(presets, options), "disk");
  EXPECT_EQ(disk[0].level, CheckLevel::warn);
  EXPECT_NE(disk[0].message.find("less than the 1000000000.0 GB"), std::string::npos)
      << disk[0].message;
  EXPECT_NE(disk[0].fix.find("HF_HOME"), std::string::npos);
}

TEST(Preflight, PortTakenFailsNamingTheProcessAndFreePortIsOk) {
  const testsupport::TempDir dir;
  InventoryProbe probe = h200(35);
  const testsupport::ListeningSocket taken;
  const int free = testsupport::free_port();
  const Presets presets =
      presets_from("  busy:\n    api: openai-chat\n    port: " + std::to_string(taken.port()) +
                   "\n  idle:\n    api: openai-chat\n    port: " + std::to_string(free) + "\n");
  PreflightOptions options = base_options(probe, dir);
  options.frameworks = {"busy", "idle"};
  const auto report = run_preflight(presets, options);
  const auto busy = lines_of(report, "busy port");
  ASSERT_EQ(busy.size(), 1u);
  EXPECT_EQ(busy[0].level, CheckLevel::fail);
  EXPECT_NE(busy[0].message.find("port " + std::to_string(taken.port()) +
                                 " is already in use by pid " + std::to_string(::getpid())),
            std::string::npos)
      << busy[0].message;
  const auto idle = lines_of(report, "idle port");
  ASSERT_EQ(idle.size(), 1u);
  EXPECT_EQ(idle[0].level, CheckLevel::ok);
  EXPECT_EQ(idle[0].message, "port " + std::to_string(free) + " is free");
  EXPECT_TRUE(report.failed());
}

TEST(Preflight, APortHeldByAHealthyServerIsAWarning) {
  const testsupport::TempDir dir;
  InventoryProbe probe = h200(35);
  sim::SimOptions sim_options;
  sim_options.profile = "vllm";
  const auto server = sim::SimServer::start(sim_options);
  const Presets presets = presets_from(
      "  up:\n    api: openai-chat\n    health_path: /health\n"
      "    port: " +
      std::to_string(server->port()) + "\n");
  PreflightOptions options = base_options(probe, dir);
  options.frameworks = {"up"};
  const auto line = lines_of(run_preflight(presets, options), "up port");
  ASSERT_EQ(line.size(), 1u);
  EXPECT_EQ(line[0].level, CheckLevel::warn);
  EXPECT_NE(line[0].message.find("a server already answers on port"), std::string::npos)
      << line[0].message;
}

TEST(Preflight, CommandsAreFoundInTheVenvAndTheirCheckRuns) {
  const testsupport::TempDir dir;
  InventoryProbe probe = h200(35);
  write_script(dir / "envs/good/bin/fakefw", "echo fakefw 1.0\n");
  write_script(dir / "envs/broken/bin/fakefw",
               "echo \"ModuleNotFoundError: No module named 'fakefw'\" >&2\nexit 3\n");
  const std::string wd = "    working_dir: \"" + dir.string() + "\"\n";
  const Presets presets = presets_from(
      "  good:\n    api: openai-chat\n    command: [fakefw, serve]\n    venv: envs/good\n"
      "    check_command: [fakefw, --version]\n" +
      wd +
      "  broken:\n    api: openai-chat\n    command: [fakefw, serve]\n    venv: envs/broken\n"
      "    check_command: [fakefw, --version]\n" +
      wd + "  novenv:\n    api: openai-chat\n    command: [fakefw]\n    venv: envs/missing\n" + wd +
      "  noprogram:\n    api: openai-chat\n    command: [servemeter-no-such-framework]\n");
  PreflightOptions options = base_options(probe, dir);
  options.frameworks = {"good", "broken", "novenv", "noprogram"};
  const auto report = run_preflight(presets, options);

  const auto good = lines_of(report, "good command");
  ASSERT_EQ(good.size(), 1u);
  EXPECT_EQ(good[0].level, CheckLevel::ok) << good[0].message;
  EXPECT_EQ(good[0].message,
            "fakefw is " + (dir / "envs/good/bin/fakefw").string() + "; `fakefw --version` works");

  const auto broken = lines_of(report, "broken command");
  EXPECT_EQ(broken[0].level, CheckLevel::fail);
  EXPECT_NE(broken[0].message.find("`fakefw --version` failed (exit status 3): "
                                   "ModuleNotFoundError: No module named 'fakefw'"),
            std::string::npos)
      << broken[0].message;

  const auto novenv = lines_of(report, "novenv command");
  EXPECT_EQ(novenv[0].level, CheckLevel::fail);
  EXPECT_NE(novenv[0].message.find("virtual environment envs/missing not found"), std::string::npos)
      << novenv[0].message;

  const auto noprogram = lines_of(report, "noprogram command");
  EXPECT_EQ(noprogram[0].level, CheckLevel::fail);
  EXPECT_EQ(noprogram[0].message, "'servemeter-no-such-framework' not found on PATH");
}

TEST(Preflight, HuggingFaceModelInTheCacheOrTheHubUnreachable) {
  const testsupport::TempDir dir;
  InventoryProbe probe = h200(35);
  std::filesystem::create_directories(dir / "hf/models--openai--gpt-oss-20b/snapshots/abc123");
  const Presets presets =
      presets_from("  hf:\n    api: openai-chat\n    model_source: huggingface\n");
  PreflightOptions options = base_options(probe, dir);
  options.frameworks = {"hf"};
  options.model = "openai/gpt-oss-20b";
  auto line = lines_of(run_preflight(presets, options), "hf model");
  ASSERT_EQ(line.size(), 1u);
  EXPECT_EQ(line[0].level, CheckLevel::ok);
  EXPECT_EQ(line[0].message, "openai/gpt-oss-20b is in the Hugging Face cache (" +
                                 (dir / "hf/models--openai--gpt-oss-20b").string() + ")");

  options.model = "meta-llama/Llama-3.1-8B-Instruct";
  line = lines_of(run_preflight(presets, options), "hf model");
  EXPECT_EQ(line[0].level, CheckLevel::warn);
  EXPECT_NE(line[0].message.find("is not in the Hugging Face cache (" +
                                 (dir / "hf/models--meta-llama--Llama-3.1-8B-Instruct").string() +
                                 ") and " + options.hub_url + " cannot be reached ("),
            std::string::npos)
      << line[0].message;
}

TEST(Preflight, ModelFileMustExist) {
  const testsupport::TempDir dir;
  InventoryProbe probe = h200(35);
  const Presets presets = presets_from("  gguf:\n    api: openai-chat\n    model_source: file\n");
  PreflightOptions options = base_options(probe, dir);
  options.frameworks = {"gguf"};
  options.model_path = (dir / "missing.gguf").string();
  auto line = lines_of(run_preflight(presets, options), "gguf model");
  ASSERT_EQ(line.size(), 1u);
  EXPECT_EQ(line[0].level, CheckLevel::fail);
  testsupport::write_script(dir / "present.gguf", "");
  options.model_path = (dir / "present.gguf").string();
  EXPECT_EQ(lines_of(run_preflight(presets, options), "gguf model")[0].level, CheckLevel::ok);
}

TEST(Preflight, OllamaModelPulledOrNot) {
  const testsupport::TempDir dir;
  InventoryProbe probe = h200(35);
  sim::SimOptions sim_options;
  sim_options.profile = "ollama";
  sim_options.model = "gpt-oss:20b";
  const auto server = sim::SimServer::start(sim_options);
  const Presets presets = presets_from(
      "  ol:\n    api: ollama-chat\n    health_path: /\n"
      "    model_source: ollama\n    port: " +
      std::to_string(server->port()) + "\n");
  PreflightOptions options = base_options(probe, dir);
  options.frameworks = {"ol"};
  options.model = "gpt-oss:20b";
  auto line = lines_of(run_preflight(presets, options), "ol model");
  ASSERT_EQ(line.size(), 1u);
  EXPECT_EQ(line[0].level, CheckLevel::ok);
  EXPECT_EQ(line[0].message, "gpt-oss:20b is pulled");
  options.model = "llama3.1:8b";
  line = lines_of(run_preflight(presets, options), "ol model");
  EXPECT_EQ(line[0].level, CheckLevel::warn);
  EXPECT_EQ(line[0].fix, "run `ollama pull llama3.1:8b`, or let the suite pull it");
}

TEST(Preflight, UnknownFrameworkFailsAndLinesFormatWithTheirFix) {
  const testsupport::TempDir dir;
  InventoryProbe probe = h200(35);
  PreflightOptions options = base_options(probe, dir);
  options.frameworks = {"tgi"};
  const auto report = run_preflight(Presets{}, options);
  EXPECT_TRUE(report.failed());
  EXPECT_EQ(
      format_preflight_line({CheckLevel::fail, "vllm port", "port 8000 is in use", "free it"}),
      "FAIL  vllm port: port 8000 is in use\n      fix: free it");
  EXPECT_EQ(format_preflight_line({CheckLevel::ok, "GPU", "GPU 0: X", "unused"}),
            "OK    GPU: GPU 0: X");
}

TEST(Preflight, HubCacheFollowsTheEnvironment) {
  setenv("HF_HUB_CACHE", "/data/hub", 1);
  EXPECT_EQ(huggingface_hub_cache(), "/data/hub");
  unsetenv("HF_HUB_CACHE");
  setenv("HF_HOME", "/data/hf", 1);
  EXPECT_EQ(huggingface_hub_cache(), "/data/hf/hub");
  unsetenv("HF_HOME");
  EXPECT_EQ(huggingface_model_folder("/c", "openai/gpt-oss-20b"), "/c/models--openai--gpt-oss-20b");
}

}  // namespace
}  // namespace servemeter
