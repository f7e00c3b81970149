#include "codegen/target_machine.h"

#include <llvm/ADT/StringMap.h>
#include <llvm/MC/MCSubtargetInfo.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Support/CodeGen.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/TargetParser/Host.h>
#include <llvm/TargetParser/SubtargetFeature.h>
#include <llvm/TargetParser/Triple.h>

#include <mutex>
#include <optional>

namespace gennc::codegen {

void initialize_targets() {
  static std::once_flag once;
  std::call_once(once, [] {
    LLVMInitializeX86TargetInfo();
    LLVMInitializeX86Target();
    LLVMInitializeX86TargetMC();
    LLVMInitializeX86AsmPrinter();
    LLVMInitializeX86AsmParser();
    LLVMInitializeNVPTXTargetInfo();
    LLVMInitializeNVPTXTarget();
    LLVMInitializeNVPTXTargetMC();
    LLVMInitializeNVPTXAsmPrinter();
  });
}

namespace {

llvm::CodeGenOptLevel codegen_level(int opt_level) {
  switch (opt_level) {
    case 0: return llvm::CodeGenOptLevel::None;
    case 1: return llvm::CodeGenOptLevel::Less;
    case 3: return llvm::CodeGenOptLevel::Aggressive;
    default: return llvm::CodeGenOptLevel::Default;
  }
}

// The build machine's features as an LLVM feature string ("+avx2,+fma,-avx512f,...").
std::string native_features() {
  llvm::SubtargetFeatures features;
  for (const auto& feature : llvm::sys::getHostCPUFeatures()) features.AddFeature(feature.getKey(), feature.getValue());
  return features.getString();
}

}  // namespace

std::unique_ptr<llvm::TargetMachine> create_host_target_machine(const HostCpu& cpu, int opt_level,
                                                                std::string* error) {
  initialize_targets();
  const std::string triple = llvm::sys::getDefaultTargetTriple();
  const llvm::Target* target = llvm::TargetRegistry::lookupTarget(triple, *error);
  if (target == nullptr) return nullptr;

  const bool native = cpu.arch == "native";
  const std::string cpu_name = native ? llvm::sys::getHostCPUName().str() : cpu.arch;
  const std::string features = native ? native_features() : std::string();

  if (!native) {
    // Asked with the default CPU: an unknown name would make LLVM print its own warning.
    std::unique_ptr<llvm::MCSubtargetInfo> info(target->createMCSubtargetInfo(triple, "", ""));
    if (!info->isCPUStringValid(cpu_name)) {
      *error = "unknown CPU '" + cpu_name + "'";
      return nullptr;
    }
  }

  llvm::TargetOptions options;
  // Fused multiply-add where the CPU has it and the IR marks an operation `contract`
  // (docs/codegen.md: floating-point semantics).
  options.AllowFPOpFusion = llvm::FPOpFusion::Standard;
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, cpu_name, features, options, llvm::Reloc::PIC_, std::nullopt, codegen_level(opt_level)));
  if (machine == nullptr) {
    *error = "the target refused CPU '" + cpu_name + "'";
    return nullptr;
  }
  return machine;
}

}  // namespace gennc::codegen
