#include "codegen/device_library.h"

#include <llvm/Bitcode/BitcodeReader.h>
#include <llvm/IR/Function.h>
#include <llvm/Linker/Linker.h>
#include <llvm/Support/Error.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/TargetParser/Triple.h>

#include <cstddef>
#include <set>

namespace gennc::codegen {

// Generated into device_bitcode.cpp by cmake/EmbedDeviceCode.cmake.
extern const char kHostDeviceBitcode[];
extern const std::size_t kHostDeviceBitcodeSize;
extern const char kNvptxDeviceBitcode[];
extern const std::size_t kNvptxDeviceBitcodeSize;

namespace {

// The bitcode was compiled for a generic CPU of the architecture; dropping its per-function
// CPU and feature attributes lets the helpers take the module's (x86-64-v2 or native) and
// be inlined into kernels compiled for a richer feature set.
void strip_cpu_attributes(llvm::Module& library) {
  for (llvm::Function& fn : library) {
    fn.removeFnAttr("target-cpu");
    fn.removeFnAttr("target-features");
    fn.removeFnAttr("tune-cpu");
  }
}

}  // namespace

std::string_view embedded_device_bitcode(std::string_view arch) {
  if (arch == "x86_64") return {kHostDeviceBitcode, kHostDeviceBitcodeSize};
  if (arch == "nvptx64") return {kNvptxDeviceBitcode, kNvptxDeviceBitcodeSize};
  return {};
}

bool link_device_library(llvm::Module& module, std::string* error) {
  const std::string arch = llvm::Triple(module.getTargetTriple()).getArchName().str();
  const std::string_view bitcode = embedded_device_bitcode(arch);
  if (bitcode.empty()) {
    *error = "this gennc was built without a device library for " + arch;
    return false;
  }
  // Loaded lazily: the linker reads the bodies of only the functions the module calls.
  // The embedded bytes live as long as gennc, so the module may keep referring to them.
  // MemoryBufferRef only refers to its name, so the name must outlive it.
  const std::string name = "device-library-" + arch;
  const llvm::MemoryBufferRef buffer(llvm::StringRef(bitcode.data(), bitcode.size()), name);
  llvm::Expected<std::unique_ptr<llvm::Module>> parsed = llvm::getLazyBitcodeModule(buffer, module.getContext());
  if (!parsed) {
    *error = "the embedded device library is unreadable: " + llvm::toString(parsed.takeError());
    return false;
  }
  std::unique_ptr<llvm::Module> library = std::move(*parsed);
  library->setTargetTriple(module.getTargetTriple());
  library->setDataLayout(module.getDataLayout());
  strip_cpu_attributes(*library);

  std::set<std::string> provided;
  for (const llvm::GlobalValue& value : library->global_values())
    if (!value.isDeclaration()) provided.insert(value.getName().str());

  if (llvm::Linker::linkModules(module, std::move(library), llvm::Linker::LinkOnlyNeeded)) {
    *error = "linking the device library failed";
    return false;
  }
  for (llvm::GlobalValue& value : module.global_values())
    if (!value.isDeclaration() && provided.count(value.getName().str()) != 0)
      value.setLinkage(llvm::GlobalValue::InternalLinkage);
  // On the host a kernel's draws are inlined whatever the number of entries calling them
  // (at -O3 a kernel has several: emit_kernels_alone, the AVX-512 ones), so that a uniform
  // mean folds (a Poisson draw's exp(-lambda)) and no call remains.
  if (arch == "x86_64")
    for (llvm::Function& fn : module)
      if (!fn.isDeclaration() && fn.getName().starts_with("gennc_rand_")) fn.addFnAttr(llvm::Attribute::AlwaysInline);
  return true;
}

}  // namespace gennc::codegen
