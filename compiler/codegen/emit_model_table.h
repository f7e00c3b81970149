// The network plan -> `gennc_model`, the one symbol a compiled network exports: every
// table of runtime/include/gennc/model_abi.h as LLVM constants.
#pragma once

#include <llvm/IR/Function.h>
#include <llvm/IR/GlobalVariable.h>
#include <llvm/IR/Module.h>

#include <string>
#include <vector>

#include "ir/ir.h"

namespace gennc::codegen {

// Machine code of the PTX for one architecture (GenncCubin).
struct Cubin {
  unsigned arch = 0;  // compute capability x 10 + minor: 90 for sm_90
  std::string bytes;  // the ELF image ptxas wrote
};

struct ModelTableInputs {
  std::vector<llvm::Function*> kernels;            // host entry per ir kernel (null: none)
  std::vector<llvm::Function*> kernels_alone;      // per ir kernel, or empty (GenncKernelInfo.host_alone)
  std::vector<llvm::Function*> kernels_v4;         // per ir kernel, or empty (GenncKernelInfo.host_v4)
  std::vector<llvm::Function*> kernels_v4_alone;   // per ir kernel, or empty (GenncKernelInfo.host_v4_alone)
  std::vector<llvm::Function*> synapse_functions;  // per ir synapse function
  std::string compiler_version;                    // "gennc 0.1.0 (LLVM 19.1.7)"
  double build_seconds = 0.0;                      // <= 0: unknown
  std::string ptx;                                 // GenncModel.ptx (empty: null)
  std::vector<std::string> ptx_entries;            // per ir kernel, or empty
  std::vector<Cubin> cubins;                       // GenncModel.cubins (--gpu-sass)
};

// Defines `const GenncModel gennc_model` (external linkage) and the private constants it
// points to (names, units and lists once each).
// Requires: `inputs` has one entry per ir kernel and synapse function, in order.
llvm::GlobalVariable* emit_model_table(const ir::Module& ir, llvm::Module& module, const ModelTableInputs& inputs);

}  // namespace gennc::codegen
