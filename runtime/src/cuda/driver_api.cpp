#include "driver_api.h"

#include <dlfcn.h>

#include <mutex>

namespace gennc::runtime::cuda {

namespace {

struct Loaded {
  DriverApi api{};
  bool ok = false;
  std::string why;
};

template <typename Fn>
bool resolve(void* library, const char* symbol, Fn* slot, std::string* why) {
  void* address = dlsym(library, symbol);
  if (address == nullptr) {
    *why = std::string("libcuda.so.1 has no ") + symbol + " (the NVIDIA driver is too old)";
    return false;
  }
  *slot = reinterpret_cast<Fn>(address);
  return true;
}

Loaded load() {
  Loaded loaded;
  // Kept open for the life of the process: contexts and modules outlive any one call.
  void* library = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    const char* error = dlerror();
    loaded.why = std::string("cannot load the NVIDIA driver library libcuda.so.1") + (error ? ": " + std::string(error) : "");
    return loaded;
  }
  DriverApi& a = loaded.api;
  std::string& why = loaded.why;
  loaded.ok = resolve(library, "cuInit", &a.cuInit, &why) && resolve(library, "cuGetErrorName", &a.cuGetErrorName, &why) &&
              resolve(library, "cuGetErrorString", &a.cuGetErrorString, &why) &&
              resolve(library, "cuDeviceGetCount", &a.cuDeviceGetCount, &why) &&
              resolve(library, "cuDeviceGet", &a.cuDeviceGet, &why) &&
              resolve(library, "cuDeviceGetName", &a.cuDeviceGetName, &why) &&
              resolve(library, "cuDeviceGetAttribute", &a.cuDeviceGetAttribute, &why) &&
              resolve(library, "cuDevicePrimaryCtxRetain", &a.cuDevicePrimaryCtxRetain, &why) &&
              resolve(library, "cuDevicePrimaryCtxRelease_v2", &a.cuDevicePrimaryCtxRelease, &why) &&
              resolve(library, "cuCtxSetCurrent", &a.cuCtxSetCurrent, &why) &&
              resolve(library, "cuModuleLoadDataEx", &a.cuModuleLoadDataEx, &why) &&
              resolve(library, "cuModuleUnload", &a.cuModuleUnload, &why) &&
              resolve(library, "cuModuleGetFunction", &a.cuModuleGetFunction, &why) &&
              resolve(library, "cuMemGetInfo_v2", &a.cuMemGetInfo, &why) &&
              resolve(library, "cuMemAlloc_v2", &a.cuMemAlloc, &why) &&
              resolve(library, "cuMemFree_v2", &a.cuMemFree, &why) &&
              resolve(library, "cuMemcpyHtoD_v2", &a.cuMemcpyHtoD, &why) &&
              resolve(library, "cuMemcpyDtoH_v2", &a.cuMemcpyDtoH, &why) &&
              resolve(library, "cuMemcpyDtoDAsync_v2", &a.cuMemcpyDtoDAsync, &why) &&
              resolve(library, "cuMemsetD8Async", &a.cuMemsetD8Async, &why) &&
              resolve(library, "cuMemsetD32Async", &a.cuMemsetD32Async, &why) &&
              resolve(library, "cuStreamCreate", &a.cuStreamCreate, &why) &&
              resolve(library, "cuStreamDestroy_v2", &a.cuStreamDestroy, &why) &&
              resolve(library, "cuStreamSynchronize", &a.cuStreamSynchronize, &why) &&
              resolve(library, "cuStreamBeginCapture_v2", &a.cuStreamBeginCapture, &why) &&
              resolve(library, "cuStreamEndCapture", &a.cuStreamEndCapture, &why) &&
              resolve(library, "cuGraphInstantiateWithFlags", &a.cuGraphInstantiateWithFlags, &why) &&
              resolve(library, "cuGraphLaunch", &a.cuGraphLaunch, &why) &&
              resolve(library, "cuGraphExecDestroy", &a.cuGraphExecDestroy, &why) &&
              resolve(library, "cuGraphDestroy", &a.cuGraphDestroy, &why) &&
              resolve(library, "cuLaunchKernel", &a.cuLaunchKernel, &why) &&
              resolve(library, "cuOccupancyMaxActiveBlocksPerMultiprocessor",
                      &a.cuOccupancyMaxActiveBlocksPerMultiprocessor, &why) &&
              resolve(library, "cuEventCreate", &a.cuEventCreate, &why) &&
              resolve(library, "cuEventRecord", &a.cuEventRecord, &why) &&
              resolve(library, "cuEventSynchronize", &a.cuEventSynchronize, &why) &&
              resolve(library, "cuEventElapsedTime", &a.cuEventElapsedTime, &why) &&
              resolve(library, "cuEventDestroy_v2", &a.cuEventDestroy, &why);
  return loaded;
}

}  // namespace

const DriverApi* load_driver(std::string* why) {
  static std::once_flag once;
  static Loaded loaded;
  std::call_once(once, [] { loaded = load(); });
  if (!loaded.ok) {
    *why = loaded.why;
    return nullptr;
  }
  return &loaded.api;
}

std::string error_text(const DriverApi& api, CUresult result) {
  const char* name = nullptr;
  const char* text = nullptr;
  if (api.cuGetErrorName(result, &name) != CUDA_SUCCESS || name == nullptr)
    return "CUDA error " + std::to_string(result);
  api.cuGetErrorString(result, &text);
  return std::string(name) + (text != nullptr ? " (" + std::string(text) + ")" : "");
}

}  // namespace gennc::runtime::cuda
