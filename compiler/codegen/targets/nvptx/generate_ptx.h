// The GPU half of a compiled network: the same lowered IR as the host object, compiled by
// LLVM's NVPTX back end into one PTX module (every kernel an entry), which gennc embeds in
// gennc_model.ptx so that one `sim` runs on the GPU or the CPU, or prints (--emit=ptx).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "codegen/codegen.h"
#include "codegen/targets/nvptx/nvptx_target.h"

namespace gennc::codegen {

// Where libdevice (NVIDIA's math library as bitcode) is looked for: $CUDA_HOME, $CUDA_PATH,
// then /usr/local/cuda, each followed by nvvm/libdevice/libdevice.10.bc.
std::vector<std::string> libdevice_candidates();

// The NVPTX target for `options.gpu_arch`; reports target_machine_failed and returns null
// when the architecture is unknown or older than sm_60.
std::unique_ptr<NvptxTarget> make_nvptx_target(const Options& options, diag::Diagnostics& diags);

// Lowers every kernel of `ir` for `target` and returns the PTX text and, per IR kernel,
// its entry name: step kernels in ir.step_stages have none (empty), as they run inside
// their stage's entry, gennc_stage_<s> (emit_stages.h). Math functions become libdevice
// calls (__nv_expf, ...), linked from the
// first of libdevice_candidates() that exists. When the kernels need libdevice and none
// exists it returns nothing, and reports target_machine_failed naming the paths unless
// `optional` (a `sim` that embeds PTX where it can is then built for the CPU only).
// Requires: ir.stage == Lowered and ir::verify(ir) is empty.
std::optional<EmbeddedPtx> generate_ptx(const ir::Module& ir, const NvptxTarget& target, const Options& options,
                                        bool optional, diag::Diagnostics& diags, Timings* timings);

}  // namespace gennc::codegen
