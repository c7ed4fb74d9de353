#pragma once
// The few NVML types and signatures servemeter calls, declared here so the build needs no NVIDIA
// headers: they match nvml.h of NVML API version 12 (CUDA 12.x/13.x drivers, R525 and later;
// the functions named here exist unchanged since R450 unless noted). Only pointers to these
// functions are used, found with dlsym in libnvidia-ml.so.1 at run time.

namespace servemeter::telemetry::nvml {

using Return = int;  // nvmlReturn_t
inline constexpr Return kSuccess = 0;
inline constexpr Return kErrorInsufficientSize = 7;  // NVML_ERROR_INSUFFICIENT_SIZE

struct DeviceSt;
using Device = DeviceSt*;  // nvmlDevice_t

// nvmlMemory_t (v1): bytes. `used` counts memory the driver reserves as used.
struct MemoryV1 {
  unsigned long long total;
  unsigned long long free;
  unsigned long long used;
};

// nvmlMemory_v2_t (R510+): `used` leaves the driver's reservation out, as nvidia-smi shows it.
struct MemoryV2 {
  unsigned int version;  // must be kMemoryV2Version
  unsigned long long total;
  unsigned long long reserved;
  unsigned long long free;
  unsigned long long used;
};
// NVML_STRUCT_VERSION(Memory, 2): the struct's size with the version in the top byte.
inline constexpr unsigned int kMemoryV2Version =
    static_cast<unsigned int>(sizeof(MemoryV2)) | (2u << 24);

// nvmlUtilization_t: percent of the last sample period.
struct Utilization {
  unsigned int gpu;
  unsigned int memory;
};

// nvmlProcessInfo_v1_t: filled by the unversioned nvmlDeviceGetComputeRunningProcesses.
struct ProcessInfoV1 {
  unsigned int pid;
  unsigned long long usedGpuMemory;  // bytes; kValueNotAvailable when unknown
};

// nvmlProcessInfo_v2_t: filled by _v2, and by _v3 on most drivers.
struct ProcessInfoV2 {
  unsigned int pid;
  unsigned long long usedGpuMemory;
  unsigned int gpuInstanceId;
  unsigned int computeInstanceId;
};

// The five-field nvmlProcessInfo_t that _v3 fills on R535-era drivers, the ones that have
// nvmlDeviceGetConfComputeMemSizeInfo but not yet nvmlDeviceGetRunningProcessDetailList.
struct ProcessInfoV3Cc {
  unsigned int pid;
  unsigned long long usedGpuMemory;
  unsigned int gpuInstanceId;
  unsigned int computeInstanceId;
  unsigned long long usedGpuCcProtectedMemory;
};

inline constexpr unsigned long long kValueNotAvailable = ~0ULL;  // NVML_VALUE_NOT_AVAILABLE
inline constexpr int kTemperatureGpu = 0;                        // NVML_TEMPERATURE_GPU
inline constexpr int kClockSm = 1;                               // NVML_CLOCK_SM
inline constexpr unsigned int kNameBufferSize = 96;              // NVML_DEVICE_NAME_V2_BUFFER_SIZE
inline constexpr unsigned int kUuidBufferSize = 96;              // NVML_DEVICE_UUID_V2_BUFFER_SIZE
inline constexpr unsigned int kDriverBufferSize = 80;  // NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE
inline constexpr unsigned int kProcessNameSize = 256;

using InitFn = Return (*)();
using ShutdownFn = Return (*)();
using DeviceGetCountFn = Return (*)(unsigned int* count);
using DeviceGetHandleByIndexFn = Return (*)(unsigned int index, Device* device);
using DeviceGetNameFn = Return (*)(Device device, char* name, unsigned int length);
using DeviceGetUuidFn = Return (*)(Device device, char* uuid, unsigned int length);
using DeviceGetMemoryInfoFn = Return (*)(Device device, MemoryV1* memory);
using DeviceGetMemoryInfoV2Fn = Return (*)(Device device, MemoryV2* memory);
using DeviceGetUtilizationRatesFn = Return (*)(Device device, Utilization* utilization);
using DeviceGetPowerUsageFn = Return (*)(Device device, unsigned int* milliwatts);
using DeviceGetTemperatureFn = Return (*)(Device device, int sensor, unsigned int* celsius);
using DeviceGetClockInfoFn = Return (*)(Device device, int clock_type, unsigned int* mhz);
using SystemGetDriverVersionFn = Return (*)(char* version, unsigned int length);
using SystemGetCudaDriverVersionFn = Return (*)(int* version);  // 13000 means 13.0
// The process array's element type depends on the version; see ProcessInfo* above.
using DeviceGetComputeRunningProcessesFn = Return (*)(Device device, unsigned int* count,
                                                      void* infos);
using SystemGetProcessNameFn = Return (*)(unsigned int pid, char* name, unsigned int length);
using ErrorStringFn = const char* (*)(Return result);

}  // namespace servemeter::telemetry::nvml
