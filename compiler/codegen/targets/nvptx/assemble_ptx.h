// The GPU half's last, optional step (gennc --gpu-sass): the PTX assembled by NVIDIA's ptxas
// into machine code (a cubin) per GPU architecture, embedded next to the PTX so that the
// driver need not JIT-compile it on a machine's first run (docs/gpu.md, "Machine code").
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "codegen/codegen.h"

namespace gennc::codegen {

// Where ptxas is looked for, in order: PATH, then $CUDA_HOME/bin, $CUDA_PATH/bin and
// /usr/local/cuda/bin (as libdevice is). Returns the first found, or empty; `searched`
// (when given) gets the folders after PATH, for the message that none was found.
std::string find_ptxas(std::string* searched = nullptr);

// The compute capability that `arch` names, major x 10 + minor (90 for "sm_90", 120 for
// "sm_120"); 0 when it is not "sm_" and two or three digits.
unsigned sass_arch_number(const std::string& arch);

// Why ptxas cannot make machine code for `arch` from PTX for `ptx_arch` (--gpu-arch): not an
// architecture's name, or older than the PTX's target; empty when it can.
std::string sass_arch_problem(const std::string& arch, const std::string& ptx_arch);

// `ptx` assembled by `ptxas` (`-O3 -arch=<arch>`) for each of `archs`, which
// sass_arch_problem accepts, one process each, all at once; in the order of `archs`.
// Where one fails, reports ptxas_failed with ptxas's own message and returns nothing.
// Timed into `timings` as "ptxas".
std::optional<std::vector<Cubin>> assemble_ptx(const std::string& ptxas, const std::string& ptx,
                                               const std::vector<std::string>& archs, diag::Diagnostics& diags,
                                               Timings* timings);

}  // namespace gennc::codegen
