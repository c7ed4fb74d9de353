// A stand-in libnvidia-ml.so for tests: two GPUs with fixed readings, built from the same
// declarations (telemetry/nvml_api.h) that the probe uses, so the whole dlopen/dlsym path runs
// on machines without a driver. GPU 1 does not support power readings; GPU 0 runs two processes.
#include <cstdio>
#include <cstring>

#include "telemetry/nvml_api.h"

namespace nvml = servemeter::telemetry::nvml;

namespace {

constexpr nvml::Return kUninitialized = 1;
constexpr nvml::Return kInvalidArgument = 2;
constexpr nvml::Return kNotSupported = 3;
constexpr unsigned long long kMiB = 1024ULL * 1024ULL;

int g_initialized = 0;
nvml::DeviceSt* const g_devices[2] = {reinterpret_cast<nvml::DeviceSt*>(0x1000),
                                      reinterpret_cast<nvml::DeviceSt*>(0x2000)};

int index_of(nvml::Device d) {
  for (int i = 0; i < 2; ++i)
    if (g_devices[i] == d) return i;
  return -1;
}

void copy(char* out, unsigned int length, const char* text) {
  std::snprintf(out, length, "%s", text);
}

}  // namespace

extern "C" {

nvml::Return nvmlInit_v2() {
  ++g_initialized;
  return nvml::kSuccess;
}
nvml::Return nvmlShutdown() {
  if (g_initialized == 0) return kUninitialized;
  --g_initialized;
  return nvml::kSuccess;
}
const char* nvmlErrorString(nvml::Return r) {
  return r == kNotSupported    ? "Not Supported"
         : r == kUninitialized ? "Uninitialized"
                               : "Unknown Error";
}
nvml::Return nvmlDeviceGetCount_v2(unsigned int* count) {
  *count = 2;
  return nvml::kSuccess;
}
nvml::Return nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvml::Device* device) {
  if (index >= 2) return kInvalidArgument;
  *device = g_devices[index];
  return nvml::kSuccess;
}
nvml::Return nvmlDeviceGetName(nvml::Device d, char* name, unsigned int length) {
  if (index_of(d) < 0) return kInvalidArgument;
  copy(name, length, "NVIDIA H200");
  return nvml::kSuccess;
}
nvml::Return nvmlDeviceGetUUID(nvml::Device d, char* uuid, unsigned int length) {
  copy(uuid, length, index_of(d) == 0 ? "GPU-fake-0" : "GPU-fake-1");
  return nvml::kSuccess;
}
// v1 counts the driver's reservation as used; the probe must prefer v2 when it exists.
nvml::Return nvmlDeviceGetMemoryInfo(nvml::Device d, nvml::MemoryV1* m) {
  m->total = 143771 * kMiB;
  m->used = (index_of(d) == 0 ? 81000 : 600) * kMiB;
  m->free = m->total - m->used;
  return nvml::kSuccess;
}
nvml::Return nvmlDeviceGetMemoryInfo_v2(nvml::Device d, nvml::MemoryV2* m) {
  if (m->version != nvml::kMemoryV2Version) return kInvalidArgument;
  m->total = 143771 * kMiB;
  m->reserved = 500 * kMiB;
  m->used = (index_of(d) == 0 ? 80500 : 100) * kMiB;
  m->free = m->total - m->reserved - m->used;
  return nvml::kSuccess;
}
nvml::Return nvmlDeviceGetUtilizationRates(nvml::Device d, nvml::Utilization* u) {
  u->gpu = index_of(d) == 0 ? 97 : 0;
  u->memory = 40;
  return nvml::kSuccess;
}
nvml::Return nvmlDeviceGetPowerUsage(nvml::Device d, unsigned int* milliwatts) {
  if (index_of(d) == 1) return kNotSupported;
  *milliwatts = 612450;
  return nvml::kSuccess;
}
nvml::Return nvmlDeviceGetTemperature(nvml::Device d, int sensor, unsigned int* celsius) {
  if (sensor != nvml::kTemperatureGpu) return kInvalidArgument;
  *celsius = index_of(d) == 0 ? 64 : 31;
  return nvml::kSuccess;
}
nvml::Return nvmlDeviceGetClockInfo(nvml::Device d, int type, unsigned int* mhz) {
  if (type != nvml::kClockSm) return kInvalidArgument;
  *mhz = index_of(d) == 0 ? 1980 : 345;
  return nvml::kSuccess;
}
nvml::Return nvmlSystemGetDriverVersion(char* version, unsigned int length) {
  copy(version, length, "580.159.03");
  return nvml::kSuccess;
}
nvml::Return nvmlSystemGetCudaDriverVersion_v2(int* version) {
  *version = 13000;
  return nvml::kSuccess;
}
// Count first (INSUFFICIENT_SIZE), then fill, as the driver does; v2-layout records.
nvml::Return nvmlDeviceGetComputeRunningProcesses_v3(nvml::Device d, unsigned int* count,
                                                     void* infos) {
  const unsigned int have = index_of(d) == 0 ? 2 : 0;
  if (infos == nullptr || *count < have) {
    const bool none = have == 0;
    *count = have;
    return none ? nvml::kSuccess : nvml::kErrorInsufficientSize;
  }
  auto* out = static_cast<nvml::ProcessInfoV2*>(infos);
  out[0] = {4242, 80000 * kMiB, 0xFFFFFFFF, 0xFFFFFFFF};
  out[1] = {77, nvml::kValueNotAvailable, 0xFFFFFFFF, 0xFFFFFFFF};
  *count = have;
  return nvml::kSuccess;
}
nvml::Return nvmlSystemGetProcessName(unsigned int pid, char* name, unsigned int length) {
  if (pid != 4242) return kNotSupported;
  copy(name, length, "python3");
  return nvml::kSuccess;
}

}  // extern "C"
