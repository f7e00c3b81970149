#include "codegen/targets/nvptx/generate_ptx.h"

#include <llvm/Bitcode/BitcodeReader.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/IntrinsicInst.h>
#include <llvm/IR/Operator.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Linker/Linker.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/raw_ostream.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <set>

#include "codegen/device_library.h"
#include "codegen/emit_kernels.h"
#include "codegen/emit_machine_code.h"
#include "codegen/emit_persistent_steps.h"
#include "codegen/emit_stages.h"
#include "codegen/merge_called_bodies.h"
#include "codegen/optimize_module.h"
#include "codegen/targets/nvptx/compile_ptx_parts.h"
#include "ir/internal_error.h"

namespace gennc::codegen {

namespace {

// NVPTX has no instructions for these; libdevice implements them (and its versions are
// what CUDA C++ calls too). Square roots, absolute values, min/max, floor/ceil/round and
// fused multiply-adds are native and stay intrinsics.
const char* libdevice_base(llvm::Intrinsic::ID id) {
  switch (id) {
    case llvm::Intrinsic::exp: return "exp";
    case llvm::Intrinsic::exp2: return "exp2";
    case llvm::Intrinsic::exp10: return "exp10";
    case llvm::Intrinsic::log: return "log";
    case llvm::Intrinsic::log2: return "log2";
    case llvm::Intrinsic::log10: return "log10";
    case llvm::Intrinsic::pow: return "pow";
    case llvm::Intrinsic::sin: return "sin";
    case llvm::Intrinsic::cos: return "cos";
    case llvm::Intrinsic::tan: return "tan";
    default: return nullptr;
  }
}

// Rewrites math intrinsics and libm calls (expm1f, tanh, lgamma, ...) into calls to their
// libdevice functions (__nv_expm1f, ...); returns the libdevice names now called.
std::set<std::string> call_libdevice(llvm::Module& module) {
  std::set<std::string> needed;
  std::vector<llvm::CallInst*> intrinsic_calls;
  for (llvm::Function& fn : module)
    for (llvm::BasicBlock& block : fn)
      for (llvm::Instruction& inst : block)
        if (auto* call = llvm::dyn_cast<llvm::IntrinsicInst>(&inst))
          if (libdevice_base(call->getIntrinsicID()) != nullptr) intrinsic_calls.push_back(call);
  for (llvm::CallInst* call : intrinsic_calls) {
    std::string name = std::string("__nv_") + libdevice_base(call->getIntrinsicID()) +
                       (call->getType()->isFloatTy() ? "f" : "");
    std::vector<llvm::Value*> args(call->arg_begin(), call->arg_end());
    std::vector<llvm::Type*> params;
    for (llvm::Value* arg : args) params.push_back(arg->getType());
    llvm::FunctionCallee callee =
        module.getOrInsertFunction(name, llvm::FunctionType::get(call->getType(), params, false));
    auto* replacement = llvm::CallInst::Create(callee, args, "", call->getIterator());
    replacement->setDebugLoc(call->getDebugLoc());
    call->replaceAllUsesWith(replacement);
    call->eraseFromParent();
    needed.insert(name);
  }
  // Plain declarations are libm functions (the kernels and the device library call no
  // others); each has a libdevice twin of the same signature.
  std::vector<llvm::Function*> libm;
  for (llvm::Function& fn : module)
    if (fn.isDeclaration() && !fn.isIntrinsic() && !fn.getName().starts_with("__nv_")) libm.push_back(&fn);
  for (llvm::Function* fn : libm) {
    const std::string name = "__nv_" + fn->getName().str();
    if (llvm::Function* existing = module.getFunction(name)) {
      fn->replaceAllUsesWith(existing);
      fn->eraseFromParent();
    } else {
      fn->setName(name);
    }
    needed.insert(name);
  }
  return needed;
}

// The CPU code is not fused (x86-64-v2 has no FMA); dropping `contract` keeps the GPU's
// arithmetic the same operation by operation.
void drop_contraction(llvm::Module& module) {
  for (llvm::Function& fn : module)
    for (llvm::BasicBlock& block : fn)
      for (llvm::Instruction& inst : block)
        if (llvm::isa<llvm::FPMathOperator>(inst) && inst.hasAllowContract()) inst.setHasAllowContract(false);
}

bool uses_device_library(const llvm::Module& module) {
  for (const llvm::Function& fn : module)
    if (fn.isDeclaration() && fn.getName().starts_with("gennc_rand_")) return true;
  return false;
}

// Links the libdevice functions in `needed` (and what they call) with internal linkage.
bool link_libdevice(llvm::Module& module, const std::string& path, const std::set<std::string>& needed,
                    std::string* error) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer) {
    *error = "cannot read " + path + ": " + buffer.getError().message();
    return false;
  }
  // Lazily: the linker reads the bodies of only the functions the kernels call.
  llvm::Expected<std::unique_ptr<llvm::Module>> parsed =
      llvm::getOwningLazyBitcodeModule(std::move(*buffer), module.getContext());
  if (!parsed) {
    *error = path + " is not LLVM bitcode: " + llvm::toString(parsed.takeError());
    return false;
  }
  std::unique_ptr<llvm::Module> library = std::move(*parsed);
  for (const std::string& name : needed) {
    const llvm::Function* fn = library->getFunction(name);
    if (fn == nullptr || fn->isDeclaration()) {
      *error = "libdevice has no '" + name + "' (" + path + ")";
      return false;
    }
  }
  library->setTargetTriple(module.getTargetTriple());
  library->setDataLayout(module.getDataLayout());
  std::set<std::string> provided;
  for (const llvm::Function& fn : *library)
    if (!fn.isDeclaration()) provided.insert(fn.getName().str());
  if (llvm::Linker::linkModules(module, std::move(library), llvm::Linker::LinkOnlyNeeded)) {
    *error = "linking " + path + " failed";
    return false;
  }
  for (llvm::Function& fn : module)
    if (!fn.isDeclaration() && provided.count(fn.getName().str()) != 0)
      fn.setLinkage(llvm::GlobalValue::InternalLinkage);
  return true;
}

}  // namespace

std::vector<std::string> libdevice_candidates() {
  std::vector<std::string> paths;
  for (const char* variable : {"CUDA_HOME", "CUDA_PATH"})
    if (const char* root = std::getenv(variable); root != nullptr && *root != '\0')
      paths.push_back(std::string(root) + "/nvvm/libdevice/libdevice.10.bc");
  paths.push_back("/usr/local/cuda/nvvm/libdevice/libdevice.10.bc");
  return paths;
}

std::unique_ptr<NvptxTarget> make_nvptx_target(const Options& options, diag::Diagnostics& diags) {
  std::string error;
  std::unique_ptr<llvm::TargetMachine> machine =
      create_nvptx_target_machine(options.gpu_arch, options.opt_level, &error);
  if (machine == nullptr) {
    diags.report(diag::DiagId::target_machine_failed, diag::SourceRange{}, "the GPU", error);
    return nullptr;
  }
  return std::make_unique<NvptxTarget>(std::move(machine));
}

std::optional<EmbeddedPtx> generate_ptx(const ir::Module& ir, const NvptxTarget& target, const Options& options,
                                        bool optional, diag::Diagnostics& diags, Timings* timings) {
  auto last = std::chrono::steady_clock::now();
  auto mark = [&](const char* step) {
    const auto now = std::chrono::steady_clock::now();
    if (timings != nullptr) timings->emplace_back(step, std::chrono::duration<double>(now - last).count());
    last = now;
  };

  llvm::LLVMContext context;
  llvm::Module module(ir.network_name, context);
  module.setTargetTriple(target.machine().getTargetTriple().str());
  module.setDataLayout(target.machine().createDataLayout());
  const LoweringContext lowering{ir, module, target, nullptr, {}, options.fast_math};
  EmbeddedPtx ptx;
  // Step kernels run inside their stage's entry only; the others (derived kernels) keep
  // entries of their own.
  std::set<std::uint32_t> staged;
  for (const std::vector<std::uint32_t>& stage : ir.step_stages) staged.insert(stage.begin(), stage.end());
  for (llvm::Function* entry : emit_kernels(lowering, staged))
    ptx.entries.push_back(entry != nullptr ? entry->getName().str() : std::string());
  const StageFunctions stages = emit_stages(lowering, options.gpu_blocks_per_sm);
  const bool persistent = options.gpu_persistent_steps == Options::PersistentSteps::Always ||
                          (options.gpu_persistent_steps == Options::PersistentSteps::Auto && persistent_steps_pay(ir));
  if (persistent && !stages.bodies.empty()) emit_persistent_steps(lowering, stages, options.gpu_blocks_per_sm);
  drop_contraction(module);
  mark("ptx.lower");

  std::string error;
  if (uses_device_library(module)) {
    if (!link_device_library(module, &error)) ir::internal_error("codegen", error);
    // A call costs more on the GPU than the inliner's default threshold assumes; the draws
    // inline into kernels, as on the host.
    for (llvm::Function& fn : module)
      if (!fn.isDeclaration() && fn.getName().starts_with("gennc_rand_")) fn.addFnAttr(llvm::Attribute::AlwaysInline);
  }
  const std::set<std::string> needed = call_libdevice(module);
  if (!needed.empty()) {
    std::string found;
    std::string searched;
    for (const std::string& path : libdevice_candidates()) {
      if (found.empty() && llvm::sys::fs::exists(path)) found = path;
      searched += (searched.empty() ? "" : ", ") + path;
    }
    if (found.empty()) {
      if (optional) return std::nullopt;
      diags.report(diag::DiagId::target_machine_failed, diag::SourceRange{}, "the GPU",
                   "the kernels call math functions (" + *needed.begin() +
                       ", ...) from libdevice, which is not installed (looked for " + searched +
                       "; set CUDA_HOME, or build without GPU code: --no-gpu)");
      return std::nullopt;
    }
    if (!link_libdevice(module, found, needed, &error)) {
      diags.report(diag::DiagId::target_machine_failed, diag::SourceRange{}, "the GPU", error);
      return std::nullopt;
    }
  }
  std::string problems;
  llvm::raw_string_ostream out(problems);
  if (llvm::verifyModule(module, &out)) ir::internal_error("codegen", "invalid NVPTX module:\n" + out.str());
  mark("ptx.link-libdevice");

  // The entries in parts on threads of their own where they join into one PTX module.
  if (PtxParts parts = compile_ptx_parts(module, options); parts.text) {
    ptx.text = std::move(*parts.text);
    mark("ptx.parts");
    return ptx;
  } else if (parts.tried) {
    mark("ptx.parts-refused");  // their texts did not join: compiled whole below
  }

  optimize_module(module, target.machine(), options.opt_level);
  mark("ptx.optimize");

  // After optimisation, when the called bodies are what will be emitted: those that differ
  // only in constants become one function each (docs/gpu.md, "Merged bodies").
  merge_called_bodies(module, kGpuTableSpace);
  if (llvm::verifyModule(module, &out)) ir::internal_error("codegen", "invalid NVPTX module after merging bodies:\n" + out.str());
  mark("ptx.merge-bodies");

  llvm::raw_string_ostream text(ptx.text);
  {
    llvm::buffer_ostream buffer(text);  // writes into `text` when it goes
    if (!emit_machine_code(module, target.machine(), MachineCodeKind::Assembly, buffer, &error))
      ir::internal_error("codegen", error);
  }
  text.flush();
  mark("ptx.emit");
  return ptx;
}

}  // namespace gennc::codegen
