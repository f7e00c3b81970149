#include "driver_api.h"

#include "loaded_library.h"

namespace gennc::runtime::cuda {

namespace {

LoadedLibrary<DriverApi> load() {
  LoadedLibrary<DriverApi> loaded;
  // Kept open for the life of the process: contexts and modules outlive any one call.
  void* library = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    const char* error = dlerror();
    loaded.why = std::string("cannot load the NVIDIA driver library libcuda.so.1") + (error ? ": " + std::string(error) : "");
    return loaded;
  }
  DriverApi& a = loaded.api;
  auto resolve = [&](const char* symbol, auto* slot) {
    return resolve_symbol(library, "libcuda.so.1", symbol, " (the NVIDIA driver is too old)", slot, &loaded.why);
  };
  loaded.ok = resolve("cuInit", &a.cuInit) && resolve("cuGetErrorName", &a.cuGetErrorName) &&
              resolve("cuGetErrorString", &a.cuGetErrorString) &&
              resolve("cuDeviceGetCount", &a.cuDeviceGetCount) &&
              resolve("cuDeviceGet", &a.cuDeviceGet) &&
              resolve("cuDeviceGetName", &a.cuDeviceGetName) &&
              resolve("cuDeviceGetAttribute", &a.cuDeviceGetAttribute) &&
              resolve("cuDevicePrimaryCtxRetain", &a.cuDevicePrimaryCtxRetain) &&
              resolve("cuDevicePrimaryCtxRelease_v2", &a.cuDevicePrimaryCtxRelease) &&
              resolve("cuCtxSetCurrent", &a.cuCtxSetCurrent) &&
              resolve("cuModuleLoadDataEx", &a.cuModuleLoadDataEx) &&
              resolve("cuModuleUnload", &a.cuModuleUnload) &&
              resolve("cuModuleGetFunction", &a.cuModuleGetFunction) &&
              resolve("cuMemGetInfo_v2", &a.cuMemGetInfo) &&
              resolve("cuMemAlloc_v2", &a.cuMemAlloc) &&
              resolve("cuMemFree_v2", &a.cuMemFree) &&
              resolve("cuMemAllocHost_v2", &a.cuMemAllocHost) &&
              resolve("cuMemFreeHost", &a.cuMemFreeHost) &&
              resolve("cuMemcpyHtoD_v2", &a.cuMemcpyHtoD) &&
              resolve("cuMemcpyDtoH_v2", &a.cuMemcpyDtoH) &&
              resolve("cuMemcpyDtoHAsync_v2", &a.cuMemcpyDtoHAsync) &&
              resolve("cuStreamWaitEvent", &a.cuStreamWaitEvent) &&
              resolve("cuMemcpyDtoDAsync_v2", &a.cuMemcpyDtoDAsync) &&
              resolve("cuMemsetD8Async", &a.cuMemsetD8Async) &&
              resolve("cuMemsetD32Async", &a.cuMemsetD32Async) &&
              resolve("cuStreamCreate", &a.cuStreamCreate) &&
              resolve("cuStreamDestroy_v2", &a.cuStreamDestroy) &&
              resolve("cuStreamSynchronize", &a.cuStreamSynchronize) &&
              resolve("cuStreamBeginCapture_v2", &a.cuStreamBeginCapture) &&
              resolve("cuStreamEndCapture", &a.cuStreamEndCapture) &&
              resolve("cuGraphInstantiateWithFlags", &a.cuGraphInstantiateWithFlags) &&
              resolve("cuGraphLaunch", &a.cuGraphLaunch) &&
              resolve("cuGraphExecDestroy", &a.cuGraphExecDestroy) &&
              resolve("cuGraphDestroy", &a.cuGraphDestroy) &&
              resolve("cuLaunchKernel", &a.cuLaunchKernel) &&
              resolve("cuLaunchCooperativeKernel", &a.cuLaunchCooperativeKernel) &&
              resolve("cuOccupancyMaxActiveBlocksPerMultiprocessor", &a.cuOccupancyMaxActiveBlocksPerMultiprocessor) &&
              resolve("cuEventCreate", &a.cuEventCreate) &&
              resolve("cuEventRecord", &a.cuEventRecord) &&
              resolve("cuEventSynchronize", &a.cuEventSynchronize) &&
              resolve("cuEventElapsedTime", &a.cuEventElapsedTime) &&
              resolve("cuEventDestroy_v2", &a.cuEventDestroy);
  return loaded;
}

}  // namespace

const DriverApi* load_driver(std::string* why) { return load_once<DriverApi>(load, why); }

std::string error_text(const DriverApi& api, CUresult result) {
  const char* name = nullptr;
  const char* text = nullptr;
  if (api.cuGetErrorName(result, &name) != CUDA_SUCCESS || name == nullptr)
    return "CUDA error " + std::to_string(result);
  api.cuGetErrorString(result, &text);
  return std::string(name) + (text != nullptr ? " (" + std::string(text) + ")" : "");
}

}  // namespace gennc::runtime::cuda
