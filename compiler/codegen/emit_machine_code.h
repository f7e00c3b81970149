// The last step of code generation: an optimised module -> assembly text or an object.
#pragma once

#include <llvm/IR/Module.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>

#include <string>

namespace gennc::codegen {

enum class MachineCodeKind { Assembly, Object };

// Runs the target's code generator over `module` into `out`.
// Requires: the module's triple and data layout are those of `machine`.
// Returns false and sets *error when the target cannot emit this kind of file.
bool emit_machine_code(llvm::Module& module, llvm::TargetMachine& machine, MachineCodeKind kind,
                       llvm::raw_pwrite_stream& out, std::string* error);

}  // namespace gennc::codegen
