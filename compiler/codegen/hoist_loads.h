// A GPU pass: every load moved up within its basic block above the writes it cannot alias
// (as far as its operands allow), so that a thread issues its independent loads together. The generated bodies load, compute and store in source order (a neuron's
// input is read and its slot cleared before its ring is read), and the PTX assembler does
// not move a load above a store it cannot prove apart from it: PTX carries no alias
// information, while here the arrays are noalias arguments. On the GPU each load a thread
// waits for before issuing the next is a trip to memory.
#pragma once

#include <llvm/IR/PassManager.h>

namespace gennc::codegen {

// Requires: the function's alias analysis (the default AA pipeline). Moves only simple
// (non-volatile, non-atomic) loads, never above a PHI, a fence, a convergent call (a block
// barrier), an atomic with ordering stronger than monotonic, or a write that may alias.
struct HoistLoadsPass : llvm::PassInfoMixin<HoistLoadsPass> {
  llvm::PreservedAnalyses run(llvm::Function& function, llvm::FunctionAnalysisManager& analyses);
};

}  // namespace gennc::codegen
