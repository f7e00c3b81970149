// Which embedded machine code a GPU runs (docs/gpu.md, "Machine code"): a cubin runs on
// devices of its major architecture whose minor one is at least its own (sm_80 code on an
// sm_86 device), never across majors; anything else JIT-compiles the PTX.
#pragma once

#include <cstdint>

#include "gennc/model_abi.h"

namespace gennc::runtime::cuda {

// The cubin of `cubins[0, count)` for a device of compute capability major.minor: of those
// of its major architecture with a minor one not above the device's, the highest; null
// when there is none.
const GenncCubin* choose_cubin(int major, int minor, const GenncCubin* cubins, uint32_t count);

}  // namespace gennc::runtime::cuda
