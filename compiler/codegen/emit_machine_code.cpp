#include "codegen/emit_machine_code.h"

#include <llvm/IR/LegacyPassManager.h>
#include <llvm/Support/CodeGen.h>

namespace gennc::codegen {

bool emit_machine_code(llvm::Module& module, llvm::TargetMachine& machine, MachineCodeKind kind,
                       llvm::raw_pwrite_stream& out, std::string* error) {
  // The machine-code pipeline is still a legacy pass manager in LLVM 19.
  llvm::legacy::PassManager passes;
  const auto file_type = kind == MachineCodeKind::Assembly ? llvm::CodeGenFileType::AssemblyFile
                                                           : llvm::CodeGenFileType::ObjectFile;
  if (machine.addPassesToEmitFile(passes, out, nullptr, file_type)) {
    *error = "the " + machine.getTargetTriple().str() + " target cannot emit this file type";
    return false;
  }
  passes.run(module);
  out.flush();
  return true;
}

}  // namespace gennc::codegen
