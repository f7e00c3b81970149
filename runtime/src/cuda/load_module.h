// Loads GPU code as gennc embeds it, the model's (GenncModel.ptx and .cubins) and the
// runtime's own (runtime/CMakeLists.txt): machine code where one of its cubins fits the
// device, else the PTX, which the driver JIT-compiles (seconds for a large module on a
// machine's first run, before its compute cache holds it).
#pragma once

#include <cstdint>
#include <string>

#include "../status.h"
#include "driver_api.h"
#include "gennc/model_abi.h"

namespace gennc::runtime::cuda {

struct DeviceCode {
  const char* ptx;            // NUL-terminated
  const GenncCubin* cubins;   // null when count is 0
  uint32_t cubin_count;
};

// Loads `code` into the current context for a device of compute capability major.minor:
// the cubin choose_cubin picks, else (none fits, or the driver refuses it) the PTX. `form`
// (when given) gets which was loaded, "SASS sm_90" or "PTX (JIT)". A failure (GENNC_ERROR_BACKEND) names
// `what`, each form it tried and why, with the JIT's log.
Status load_module(const DriverApi& api, const DeviceCode& code, int major, int minor, const std::string& what,
                   CUmodule* module, std::string* form = nullptr);

}  // namespace gennc::runtime::cuda
