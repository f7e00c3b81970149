// IR kernels and synapse functions -> LLVM functions, target-independently; the target
// strategy supplies the range loop, atomics and the entry the runtime calls.
#pragma once

#include <llvm/IR/Function.h>
#include <llvm/IR/Module.h>

#include <string>
#include <vector>

#include "codegen/debug_info.h"
#include "codegen/targets/target.h"
#include "ir/ir.h"

namespace gennc::codegen {

struct LoweringContext {
  const ir::Module& ir;
  llvm::Module& module;
  const Target& target;
  DebugInfo* debug;  // null: no debug locations
};

// One entry function per kernel of ir.kernels, in order.
// Requires: ir.stage == Stage::Lowered and ir::verify(ir) is empty.
// Guarantees: floating-point operations carry only the `contract` fast-math flag (no
// reassociation, no approximate functions, NaN and infinity semantics kept); random draws
// are calls to the device library's gennc_rand_* functions (link_device_library resolves
// them); every instruction has a debug location when `debug` is given.
std::vector<llvm::Function*> emit_kernels(const LoweringContext& context);

// Row-parallel variants (for targets with lanes() > 1): per ir kernel, an entry named
// kernel.name + suffix when the kernel's element is one spike's row that threads may
// share — a SYNAPSE_PRE kernel whose statements outside its one loop only declare values
// and whose loop assigns nothing declared outside it, so the loop's iterations are
// independent: thread `lane` of an element runs iterations lane, lane + lanes(), ... —
// else null.
std::vector<llvm::Function*> emit_row_parallel_kernels(const LoweringContext& context, const std::string& suffix);

// One GenncSynapseInitFn per element of ir.synapse_functions, in order (host only).
std::vector<llvm::Function*> emit_synapse_functions(const LoweringContext& context);

}  // namespace gennc::codegen
