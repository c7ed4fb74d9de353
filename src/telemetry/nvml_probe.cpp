#include "telemetry/nvml_probe.h"

#include <dlfcn.h>

#include <cstddef>
#include <vector>

#include "core/clock.h"
#include "telemetry/nvml_api.h"
#include "telemetry/utf8_excerpt.h"

namespace servemeter::telemetry {
namespace {

constexpr double kBytesPerMib = 1024.0 * 1024.0;

// Where drivers put the library when the loader's path does not say (containers that mount
// the driver, older distributions).
constexpr const char* kKnownLocations[] = {
    "/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1",
    "/usr/lib64/libnvidia-ml.so.1",
    "/usr/local/nvidia/lib64/libnvidia-ml.so.1",
    "/usr/lib/wsl/lib/libnvidia-ml.so.1",
};

struct Api {
  nvml::InitFn init = nullptr;
  nvml::ShutdownFn shutdown = nullptr;
  nvml::DeviceGetCountFn device_count = nullptr;
  nvml::DeviceGetHandleByIndexFn handle_by_index = nullptr;
  nvml::DeviceGetNameFn name = nullptr;
  nvml::DeviceGetUuidFn uuid = nullptr;
  nvml::DeviceGetMemoryInfoFn memory_v1 = nullptr;
  nvml::DeviceGetMemoryInfoV2Fn memory_v2 = nullptr;  // optional (R510+)
  nvml::DeviceGetUtilizationRatesFn utilization = nullptr;
  nvml::DeviceGetPowerUsageFn power = nullptr;
  nvml::DeviceGetTemperatureFn temperature = nullptr;
  nvml::DeviceGetClockInfoFn clock = nullptr;
  nvml::SystemGetDriverVersionFn driver_version = nullptr;
  nvml::SystemGetCudaDriverVersionFn cuda_version = nullptr;
  nvml::DeviceGetComputeRunningProcessesFn processes = nullptr;
  std::size_t process_info_size = 0;  // element size of the array `processes` fills
  nvml::SystemGetProcessNameFn process_name = nullptr;
  nvml::ErrorStringFn error_string = nullptr;
};

template <typename Fn>
bool find(void* library, const char* symbol, Fn& out) {
  out = reinterpret_cast<Fn>(dlsym(library, symbol));
  return out != nullptr;
}

// The required symbols; false names the first one missing in `missing`.
bool load_api(void* library, Api& api, std::string& missing) {
  struct Required {
    const char* symbol;
    bool found;
  };
  const Required required[] = {
      {"nvmlInit_v2", find(library, "nvmlInit_v2", api.init)},
      {"nvmlShutdown", find(library, "nvmlShutdown", api.shutdown)},
      {"nvmlDeviceGetCount_v2", find(library, "nvmlDeviceGetCount_v2", api.device_count)},
      {"nvmlDeviceGetHandleByIndex_v2",
       find(library, "nvmlDeviceGetHandleByIndex_v2", api.handle_by_index)},
      {"nvmlDeviceGetName", find(library, "nvmlDeviceGetName", api.name)},
      {"nvmlDeviceGetMemoryInfo", find(library, "nvmlDeviceGetMemoryInfo", api.memory_v1)},
      {"nvmlErrorString", find(library, "nvmlErrorString", api.error_string)},
  };
  for (const auto& r : required) {
    if (!r.found) {
      missing = r.symbol;
      return false;
    }
  }
  // Optional: a missing one only leaves its figures empty.
  find(library, "nvmlDeviceGetMemoryInfo_v2", api.memory_v2);
  find(library, "nvmlDeviceGetUUID", api.uuid);
  find(library, "nvmlDeviceGetUtilizationRates", api.utilization);
  find(library, "nvmlDeviceGetPowerUsage", api.power);
  find(library, "nvmlDeviceGetTemperature", api.temperature);
  find(library, "nvmlDeviceGetClockInfo", api.clock);
  find(library, "nvmlSystemGetDriverVersion", api.driver_version);
  if (!find(library, "nvmlSystemGetCudaDriverVersion_v2", api.cuda_version))
    find(library, "nvmlSystemGetCudaDriverVersion", api.cuda_version);
  find(library, "nvmlSystemGetProcessName", api.process_name);
  if (find(library, "nvmlDeviceGetComputeRunningProcesses_v3", api.processes)) {
    void* cc = dlsym(library, "nvmlDeviceGetConfComputeMemSizeInfo");
    void* details = dlsym(library, "nvmlDeviceGetRunningProcessDetailList");
    api.process_info_size = cc != nullptr && details == nullptr ? sizeof(nvml::ProcessInfoV3Cc)
                                                                : sizeof(nvml::ProcessInfoV2);
  } else if (find(library, "nvmlDeviceGetComputeRunningProcesses_v2", api.processes)) {
    api.process_info_size = sizeof(nvml::ProcessInfoV2);
  } else if (find(library, "nvmlDeviceGetComputeRunningProcesses", api.processes)) {
    api.process_info_size = sizeof(nvml::ProcessInfoV1);
  }
  return true;
}

void* open_library(const std::string& library, std::string& why_not) {
  void* handle = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle != nullptr) return handle;
  const char* detail = dlerror();
  const std::string first_error = detail ? detail : "";
  why_not = first_error.empty() || first_error.find("No such file") != std::string::npos
                ? library + " not found"
                : library + " could not be loaded (" + first_error + ")";
  if (library == "libnvidia-ml.so.1") {
    for (const char* path : kKnownLocations) {
      handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
      if (handle != nullptr) return handle;
    }
  }
  return nullptr;
}

class NvmlProbe final : public GpuProbe {
 public:
  NvmlProbe(Api api, std::vector<nvml::Device> devices, std::vector<GpuIdentity> gpus)
      : api_(api), devices_(std::move(devices)), gpus_(std::move(gpus)) {}
  ~NvmlProbe() override {
    // The library stays loaded: unloading a driver library that may have started its own
    // threads is not safe, and the process keeps one probe for its whole life anyway.
    api_.shutdown();
  }

  std::string_view kind() const override { return "nvml"; }
  const std::string& unavailable_reason() const override { return no_reason_; }
  const std::vector<GpuIdentity>& gpus() const override { return gpus_; }

  GpuSample sample() override {
    GpuSample s;
    s.t_ns = monotonic_ns();
    s.gpus.reserve(devices_.size());
    std::string first_failure;
    bool any = false;
    for (std::size_t i = 0; i < devices_.size(); ++i) {
      GpuReading r = read(i, first_failure);
      any = any || r.memory_used_mib || r.utilization_pct || r.power_w || r.temperature_c ||
            r.sm_clock_mhz;
      s.gpus.push_back(r);
    }
    if (!any) {
      s.gpus.clear();
      s.error = "NVML read nothing: " + (first_failure.empty() ? "no GPU" : first_failure);
    }
    return s;
  }

  GpuInventory inventory() override {
    GpuInventory inv;
    inv.probe = "nvml";
    if (api_.driver_version) {
      char buffer[nvml::kDriverBufferSize] = {};
      if (api_.driver_version(buffer, sizeof buffer) == nvml::kSuccess)
        inv.driver_version = std::string(buffer);
    }
    if (api_.cuda_version) {
      int version = 0;
      if (api_.cuda_version(&version) == nvml::kSuccess && version > 0)
        inv.cuda_version =
            std::to_string(version / 1000) + "." + std::to_string(version % 1000 / 10);
    }
    for (std::size_t i = 0; i < devices_.size(); ++i) {
      GpuInventoryEntry entry;
      entry.identity = gpus_[i];
      std::string ignored;
      const GpuReading r = read(i, ignored);
      entry.memory_used_mib = r.memory_used_mib;
      entry.memory_total_mib = r.memory_total_mib;
      if (!read_processes(devices_[i], entry.processes, inv.processes_error))
        entry.processes.clear();
      inv.gpus.push_back(std::move(entry));
    }
    return inv;
  }

 private:
  std::string error(nvml::Return rc) const {
    const char* s = api_.error_string(rc);
    return s ? std::string(s) : "NVML error " + std::to_string(rc);
  }

  GpuReading read(std::size_t i, std::string& first_failure) const {
    GpuReading r;
    r.index = gpus_[i].index;
    const nvml::Device d = devices_[i];
    auto note = [&](nvml::Return rc) {
      if (rc != nvml::kSuccess && first_failure.empty()) first_failure = error(rc);
      return rc == nvml::kSuccess;
    };
    bool have_memory = false;
    if (api_.memory_v2) {
      nvml::MemoryV2 m{};
      m.version = nvml::kMemoryV2Version;
      if (api_.memory_v2(d, &m) == nvml::kSuccess) {
        r.memory_used_mib = static_cast<double>(m.used) / kBytesPerMib;
        r.memory_total_mib = static_cast<double>(m.total) / kBytesPerMib;
        have_memory = true;
      }
    }
    if (!have_memory) {
      nvml::MemoryV1 m{};
      if (note(api_.memory_v1(d, &m))) {
        r.memory_used_mib = static_cast<double>(m.used) / kBytesPerMib;
        r.memory_total_mib = static_cast<double>(m.total) / kBytesPerMib;
      }
    }
    if (api_.utilization) {
      nvml::Utilization u{};
      if (note(api_.utilization(d, &u))) r.utilization_pct = u.gpu;
    }
    unsigned int value = 0;
    if (api_.power && note(api_.power(d, &value))) r.power_w = value / 1000.0;
    if (api_.temperature && note(api_.temperature(d, nvml::kTemperatureGpu, &value)))
      r.temperature_c = value;
    if (api_.clock && note(api_.clock(d, nvml::kClockSm, &value))) r.sm_clock_mhz = value;
    return r;
  }

  bool read_processes(nvml::Device d, std::vector<GpuProcess>& out, std::string& why) const {
    if (!api_.processes) {
      if (why.empty()) why = "this NVML has no nvmlDeviceGetComputeRunningProcesses";
      return false;
    }
    // Ask for the count, then read with room to spare for processes that start meanwhile.
    unsigned int count = 0;
    nvml::Return rc = api_.processes(d, &count, nullptr);
    if (rc == nvml::kSuccess) return true;  // none
    for (int attempt = 0; attempt < 3 && rc == nvml::kErrorInsufficientSize; ++attempt) {
      count = count * 2 + 8;
      std::vector<unsigned char> buffer(static_cast<std::size_t>(count) * api_.process_info_size);
      rc = api_.processes(d, &count, buffer.data());
      if (rc != nvml::kSuccess) continue;
      for (unsigned int k = 0; k < count; ++k) {
        const unsigned char* at =
            buffer.data() + static_cast<std::size_t>(k) * api_.process_info_size;
        // pid and usedGpuMemory lead every version of the struct at the same offsets.
        const auto* info = reinterpret_cast<const nvml::ProcessInfoV1*>(at);
        GpuProcess p;
        p.pid = static_cast<long>(info->pid);
        if (info->usedGpuMemory != nvml::kValueNotAvailable)
          p.used_memory_mib = static_cast<double>(info->usedGpuMemory) / kBytesPerMib;
        if (api_.process_name) {
          char name[nvml::kProcessNameSize] = {};
          if (api_.process_name(info->pid, name, sizeof name) == nvml::kSuccess)
            p.name = utf8_excerpt(name, sizeof name);
        }
        out.push_back(std::move(p));
      }
      return true;
    }
    if (why.empty()) why = "NVML could not list processes: " + error(rc);
    return false;
  }

  Api api_;
  std::vector<nvml::Device> devices_;
  std::vector<GpuIdentity> gpus_;
  std::string no_reason_;
};

}  // namespace

std::unique_ptr<GpuProbe> make_nvml_probe(const std::string& library, std::string& why_not) {
  void* handle = open_library(library, why_not);
  if (handle == nullptr) return nullptr;
  Api api;
  std::string missing;
  if (!load_api(handle, api, missing)) {
    why_not = library + " lacks " + missing + " (driver older than R450?)";
    return nullptr;
  }
  if (const nvml::Return rc = api.init(); rc != nvml::kSuccess) {
    const char* s = api.error_string(rc);
    why_not = std::string("NVML could not start: ") + (s ? s : std::to_string(rc).c_str());
    return nullptr;
  }
  unsigned int count = 0;
  if (const nvml::Return rc = api.device_count(&count); rc != nvml::kSuccess || count == 0) {
    why_not = rc == nvml::kSuccess
                  ? "NVML found no GPU"
                  : std::string("NVML could not count GPUs: ") + api.error_string(rc);
    api.shutdown();
    return nullptr;
  }
  std::vector<nvml::Device> devices;
  std::vector<GpuIdentity> gpus;
  for (unsigned int i = 0; i < count; ++i) {
    nvml::Device d = nullptr;
    // A GPU NVML cannot open (lost, no permission) is left out rather than failing the rest.
    if (api.handle_by_index(i, &d) != nvml::kSuccess) continue;
    GpuIdentity id;
    id.index = static_cast<int>(i);
    char name[nvml::kNameBufferSize] = {};
    if (api.name(d, name, sizeof name) == nvml::kSuccess) id.name = utf8_excerpt(name, sizeof name);
    char uuid[nvml::kUuidBufferSize] = {};
    if (api.uuid && api.uuid(d, uuid, sizeof uuid) == nvml::kSuccess)
      id.uuid = utf8_excerpt(uuid, sizeof uuid);
    devices.push_back(d);
    gpus.push_back(std::move(id));
  }
  if (devices.empty()) {
    why_not = "NVML could open none of its " + std::to_string(count) + " GPUs";
    api.shutdown();
    return nullptr;
  }
  return std::make_unique<NvmlProbe>(api, std::move(devices), std::move(gpus));
}

}  // namespace servemeter::telemetry
