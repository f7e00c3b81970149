#include "load_module.h"

#include <vector>

#include "choose_cubin.h"

namespace gennc::runtime::cuda {

namespace {

// cuModuleLoadDataEx with an error log; empty when it loaded, else why not.
std::string load_image(const DriverApi& api, const void* image, CUmodule* module) {
  std::vector<char> log(16384, '\0');
  int options[] = {CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
  void* values[] = {log.data(), reinterpret_cast<void*>(static_cast<uintptr_t>(log.size() - 1))};
  const CUresult result = api.cuModuleLoadDataEx(module, image, 2, options, values);
  if (result == CUDA_SUCCESS) return "";
  return error_text(api, result) + (log[0] != '\0' ? "\n" + std::string(log.data()) : "");
}

}  // namespace

Status load_module(const DriverApi& api, const DeviceCode& code, int major, int minor, const std::string& what,
                   CUmodule* module, std::string* form) {
  std::string tried;
  if (const GenncCubin* cubin = choose_cubin(major, minor, code.cubins, code.cubin_count)) {
    const std::string sass = "SASS sm_" + std::to_string(cubin->arch);
    const std::string why = load_image(api, cubin->bytes, module);
    if (why.empty()) {
      if (form != nullptr) *form = sass;
      return ok();
    }
    // The PTX may still load: a driver older than the ptxas that made the cubin refuses it.
    tried = sass + ": " + why + "\n";
  }
  const std::string why = load_image(api, code.ptx, module);
  if (why.empty()) {
    if (form != nullptr) *form = "PTX (JIT)";
    return ok();
  }
  return {GENNC_ERROR_BACKEND, "CUDA: loading " + what + " failed:\n" + tried + "PTX (JIT): " + why};
}

}  // namespace gennc::runtime::cuda
