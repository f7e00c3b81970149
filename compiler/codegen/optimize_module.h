// The LLVM optimisation pipeline over a generated module.
#pragma once

#include <llvm/IR/Module.h>
#include <llvm/Target/TargetMachine.h>

namespace gennc::codegen {

// Runs the new pass manager's standard pipeline for `opt_level` (0..3) with the target's
// cost model, so that the loop and SLP vectorisers see the CPU's vector width (on NVPTX,
// which has no vector arithmetic, they do not run).
// Requires: `module` verified, its triple and data layout those of `machine`.
// Guarantees: the module still verifies; at -O0 only always-inline functions are inlined.
void optimize_module(llvm::Module& module, llvm::TargetMachine& machine, int opt_level);

}  // namespace gennc::codegen
